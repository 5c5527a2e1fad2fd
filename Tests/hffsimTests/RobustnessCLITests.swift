import Foundation
import XCTest

/// `hffsim eval --input-noise` and `--attack` through the built binary, on tiny models trained on
/// the shipped subset (500 test images).
final class RobustnessCLITests: XCTestCase {
    /// One directory of tiny models (HFF, FF, backprop; a conv HFF), trained once for the class.
    nonisolated(unsafe) static var models: URL?

    func model(_ name: String) throws -> String {
        if RobustnessCLITests.models == nil {
            let d = FileManager.default.temporaryDirectory.appendingPathComponent("hffsim-robust-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            // FF learns slowly from 1,000 images (CLITests): 5 epochs.
            for (name, flags) in [("hff", ["--layers", "32,16", "--epochs", "1"]), ("ff", ["--algorithm", "ff", "--layers", "64", "--epochs", "5"]),
                                  ("backprop", ["--algorithm", "backprop", "--layers", "32,16", "--epochs", "1"]),
                                  ("conv", ["--arch", "c4k3,p2,f16", "--epochs", "1"])] {
                let file = d.appendingPathComponent(name + ".safetensors").path
                let t = try Hffsim.run(["train", "--seed", "2", "--output", file] + flags)
                XCTAssertEqual(t.status, 0, t.stderr)
            }
            RobustnessCLITests.models = d
        }
        return RobustnessCLITests.models!.appendingPathComponent("\(name).safetensors").path
    }

    override class func tearDown() {
        if let d = models { try? FileManager.default.removeItem(at: d) }
        models = nil
        super.tearDown()
    }

    func json(_ r: CLIResult) throws -> [String: Any] {
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
    }

    func accuracies(_ table: Any?) throws -> [Double] {
        try XCTUnwrap((table as? [String: Any])?["results"] as? [[String: Any]]).map { try XCTUnwrap($0["accuracy"] as? Double) }
    }

    /// sigma 0 and eps 0 reproduce the clean accuracy for every algorithm; accuracy does not rise
    /// from eps 0 to 0.5 under PGD on these models; the raw units are the model's std times the
    /// standardised ones.
    func testZeroSigmaAndEpsilonGiveTheCleanAccuracy() throws {
        for name in ["hff", "ff", "backprop"] {
            for attack in ["fgsm", "pgd"] {
                let j = try json(try Hffsim.run(["eval", try model(name), "--input-noise", "0,0.5", "--attack", attack, "--epsilon", "0,0.5", "--json"]))
                let clean = try XCTUnwrap(j["testAccuracy"] as? Double)
                XCTAssertGreaterThan(clean, 0.2, "\(name) (chance 0.1)")
                XCTAssertEqual(try accuracies(j["inputNoise"])[0], clean, name)
                let attacked = try accuracies(j["attack"])
                XCTAssertEqual(attacked[0], clean, "\(name) \(attack)")
                XCTAssertLessThan(attacked[1], clean, "\(name) \(attack) at eps 0.5 (standardised)")
                let table = try XCTUnwrap(j["attack"] as? [String: Any])
                let perUnit = try XCTUnwrap(table["rawUnitsPerStandardizedUnit"] as? Double)
                let row = try XCTUnwrap((table["results"] as? [[String: Any]])?[1])
                XCTAssertEqual(try XCTUnwrap(row["epsilonRawUnits"] as? Double), 0.5 * perUnit, accuracy: 1e-12)
                XCTAssertEqual(perUnit, 0.35, accuracy: 0.02, "the subset's pixel std in [0, 1] units")
            }
        }
    }

    /// The same noise seed gives the same table on 1 and 2 threads (and on a rerun); the text
    /// table's rows are byte-identical too.
    func testNoiseAndPGDAreReproducibleForAnyThreadCount() throws {
        let m = try model("hff")
        var tables = [[Double]](), texts = [String]()
        for threads in ["1", "2", "2"] {
            let flags = ["--input-noise", "0.25,1,2", "--noise-seed", "4", "--attack", "pgd", "--epsilon", "0.05",
                         "--pgd-random-start", "--pgd-steps", "3", "--threads", threads]
            let j = try json(try Hffsim.run(["eval", m, "--json"] + flags))
            tables.append(try accuracies(j["inputNoise"]) + accuracies(j["attack"]))
            let t = try Hffsim.run(["eval", m] + flags)
            XCTAssertEqual(t.status, 0, t.stderr)
            texts.append(t.stdout.split(separator: "\n").filter { !$0.hasSuffix(" s") }.joined(separator: "\n"))
        }
        XCTAssertEqual(tables[0], tables[1])
        XCTAssertEqual(tables[1], tables[2])
        XCTAssertEqual(texts[0], texts[1])
        XCTAssertTrue(texts[0].contains("sigma (standardised units)"), texts[0])
    }

    /// Without the new flags eval prints what it printed before: no robustness fields or tables.
    func testEvalOutputIsUnchangedWithoutTheFlags() throws {
        let m = try model("backprop")
        let j = try json(try Hffsim.run(["eval", m, "--json"]))
        XCTAssertNil(j["inputNoise"])
        XCTAssertNil(j["attack"])
        let t = try Hffsim.run(["eval", m])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertFalse(t.stdout.contains("noise") || t.stdout.contains("attack"), t.stdout)
        XCTAssertTrue(t.stdout.contains("confusion matrix"), t.stdout)
    }

    /// Bad values exit 64 with one line naming the flag; a conv model is refused --attack (its
    /// noise table works).
    func testRefusalsNameTheFlag() throws {
        let m = try model("hff")
        let cases: [([String], String)] = [
            (["--input-noise", "-0.5"], "--input-noise"), (["--input-noise", "0,abc"], "--input-noise"),
            (["--input-noise", "0,,1"], "--input-noise"), (["--input-noise", "nan"], "--input-noise"),
            (["--input-noise", "1e60"], "--input-noise"),
            (["--attack", "cw", "--epsilon", "0.1"], "--attack"), (["--attack", "fgsm"], "--attack"),
            (["--epsilon", "0.1"], "--epsilon"), (["--attack", "fgsm", "--epsilon", "-0.1"], "--epsilon"),
            (["--attack", "pgd", "--epsilon", "0.1", "--pgd-steps", "0"], "--pgd-steps"),
            (["--attack", "pgd", "--epsilon", "0.1", "--pgd-steps", "two"], "--pgd-steps"),
            (["--attack", "pgd", "--epsilon", "0.1", "--pgd-step-size", "0"], "--pgd-step-size"),
            (["--attack", "pgd", "--epsilon", "0.1", "--pgd-step-size", "-1"], "--pgd-step-size"),
            (["--attack", "fgsm", "--epsilon", "0.1", "--pgd-steps", "5"], "--pgd-steps"),
            (["--attack", "fgsm", "--epsilon", "0.1", "--pgd-random-start"], "--pgd-random-start"),
            (["--noise-seed", "3"], "--noise-seed"), (["--input-noise", "0.1", "--noise-seed", "x"], "--noise-seed"),
        ]
        for (flags, flag) in cases {
            let r = try Hffsim.run(["eval", m] + flags)
            XCTAssertEqual(r.status, 64, "\(flags): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(flag), "\(flags): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(flags): \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "\(flags)")
        }
        let conv = try model("conv")
        let refused = try Hffsim.run(["eval", conv, "--attack", "fgsm", "--epsilon", "0.1"])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--attack") && refused.stderr.contains("dense"), refused.stderr)
        let noisy = try json(try Hffsim.run(["eval", conv, "--input-noise", "0,0.5", "--json"]))
        XCTAssertEqual(try accuracies(noisy["inputNoise"])[0], try XCTUnwrap(noisy["testAccuracy"] as? Double))
    }
}

"""Reference timing of IBM aihwkit on the network hffsim compares against (issue 3).

Install (builds from source, ~6 minutes on 2 cores):
    apt-get install libopenblas-dev
    pip install scikit-build cmake pybind11 ninja mypy torch
    pip install --no-build-isolation aihwkit==1.2.0
Run: python3 scripts/aihwkit_bench.py
Measured on the development machine: 1.98 s for 10,000 inputs through 784-1000-1000-1000 (PCM, 1 h drift).
"""
import time, torch
from aihwkit.nn import AnalogLinear, AnalogSequential
from aihwkit.simulator.configs import InferenceRPUConfig
torch.manual_seed(0)
torch.set_num_threads(2)
cfg = InferenceRPUConfig()  # PCMLikeNoiseModel, 512x512 tiles, 7-bit DAC, 9-bit ADC
model = AnalogSequential(AnalogLinear(784, 1000, rpu_config=cfg), torch.nn.ReLU(),
                         AnalogLinear(1000, 1000, rpu_config=cfg), torch.nn.ReLU(),
                         AnalogLinear(1000, 1000, rpu_config=cfg))
model.eval()
t = time.time(); model.program_analog_weights(); model.drift_analog_weights(3600); prog = time.time() - t
x = torch.rand(10000, 784)
with torch.no_grad():
    model(x[:100])
    best = 1e9
    for _ in range(3):
        t = time.time(); model(x); best = min(best, time.time() - t)
print(f"aihwkit {__import__('aihwkit').__version__}: programming+drift {prog:.2f} s, forward of 10000 x 784-1000-1000-1000: {best:.3f} s (best of 3)")

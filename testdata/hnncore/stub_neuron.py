# Stand-in for NEURON so that hnn-core's pure-Python readers import; nothing is simulated.
class _Any:
    def __getattr__(self, k): return _Any()
    def __call__(self, *a, **k): return _Any()
h = _Any(); nrn = _Any(); units = _Any()
__version__ = "8.2.2"

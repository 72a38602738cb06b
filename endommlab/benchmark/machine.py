"""The processor a benchmark ran on, so that figures from different machines are told apart."""
import os
import platform

#: instruction-set extensions that decide which oneDNN / MLAS kernels run
ISA_FLAGS = ('avx2', 'avx512f', 'avx512_vnni', 'avx512_bf16', 'amx_tile')


def cpu_description(cpuinfo: str = '/proc/cpuinfo') -> str:
    """E.g. ``'AMD EPYC (family 23, model 49), 2 CPUs, avx2'``.

    Speed ratios between libraries depend on the processor (TensorFlow's and
    PyTorch's oneDNN kernels, ONNX Runtime's MLAS pick their code by these
    extensions), so every benchmark records it beside its figures.
    """
    fields = {}
    if os.path.isfile(cpuinfo):
        with open(cpuinfo) as f:
            for line in f:
                key, _, value = line.partition(':')
                if not line.strip():
                    break  # the first processor is enough
                fields[key.strip()] = value.strip()
    name = fields.get('model name') or platform.processor() or platform.machine()
    if 'cpu family' in fields:
        name += f" (family {fields['cpu family']}, model {fields.get('model', '?')})"
    flags = set(fields.get('flags', '').split())
    isa = [flag for flag in ISA_FLAGS if flag in flags]
    return f"{name}, {os.cpu_count()} CPUs, {' '.join(isa) or 'no AVX2'}"

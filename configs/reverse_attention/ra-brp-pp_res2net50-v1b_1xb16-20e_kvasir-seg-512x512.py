# Yu et al. (EndoCV2021), Table 2 "BRP + post-processing": the BRP model with the threshold
# post-processing (§2.3) at inference; evaluation prints the metrics with and without it.
_base_ = './ra-brp_res2net50-v1b_1xb16-20e_kvasir-seg-512x512.py'
model = dict(
    _delete_=True,
    type='ThresholdPostProcessSegmentor',
    segmentor={{_base_.model}},
    test_cfg=dict(
        # smallest total polyp area of a Kvasir-SEG training image (998 px of 449x469), from
        # python tools/analysis_tools/polyp_reference_area.py data/kvasir-seg --split train
        reference_area=0.004739,
        area_unit='fraction',  # of the image; predictions are scored at the original size
        threshold=0.5))  # polarisation threshold
val_evaluator = [
    dict(type='PolypSegMetric'),  # Table 2 columns with post-processing
    dict(type='RawPolypSegMetric')  # the same without it, and the number of emptied images
]
test_evaluator = val_evaluator

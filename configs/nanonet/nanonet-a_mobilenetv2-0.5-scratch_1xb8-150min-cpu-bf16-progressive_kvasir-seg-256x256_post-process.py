# nanonet-a_kvasir-seg with threshold post-processing (Yu et al., EndoCV 2021, section 2.3)
# calibrated for at most 10% of frames without a polyp marked: on data/kvasir-seg:train (200 frames
# with a polyp) Dice 0.7904, on data/polypgen-negatives:calib (59 without) false-alarm rate 0.0847.
# Every pair, the trade-off curve and the exact command:
# docs/results/nanonet-a_mobilenetv2-0.5-scratch_1xb8-150min-cpu-bf16-progressive_kvasir-seg-256x256_post-process.calibration.json  # noqa: E501
# and .png. Written by
#   python tools/analysis_tools/calibrate_post_process.py nanonet-a_kvasir-seg
#     --positives data/kvasir-seg:train
#     --negatives data/polypgen-negatives:calib
#     --max-false-alarm 0.1
#     --report-dir docs/results
#     -o configs/nanonet/nanonet-a_mobilenetv2-0.5-scratch_1xb8-150min-cpu-bf16-progressive_kvasir-seg-256x256_post-process.py  # noqa: E501
_base_ = 'nanonet-a_mobilenetv2-0.5-scratch_1xb8-150min-cpu-bf16-progressive_kvasir-seg-256x256.py'
model = dict(
    _delete_=True,
    type='ThresholdPostProcessSegmentor',
    segmentor={{_base_.model}},
    test_cfg=dict(
        reference_area=0.01,  # fraction of the frame; smaller predictions are emptied
        area_unit='fraction',
        threshold=0.95))  # polarisation threshold of the polyp probability
val_evaluator = [
    dict(type='PolypSegMetric'),  # with the post-processing
    dict(type='RawPolypSegMetric')  # without it, and the number of emptied frames
]
test_evaluator = val_evaluator

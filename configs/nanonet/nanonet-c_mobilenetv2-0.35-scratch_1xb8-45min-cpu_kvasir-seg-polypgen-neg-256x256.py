# NanoNet-C's 45-minute scratch config trained with frames without a polyp mixed in: PolypGen
# centre A's negative sequences 1-2 (79 frames, all-zero masks), converted by sequence with
# tools/dataset_converters/negative_frames.py; sequences 3-4 calibrate, 5-7 are held back.
_base_ = './nanonet-c_mobilenetv2-0.35-scratch_1xb8-45min-cpu_kvasir-seg-256x256.py'

train_dataloader = dict(dataset=dict(
    _delete_=True,
    type='ConcatDataset',
    datasets=[
        {{_base_.train_dataloader.dataset}},  # Kvasir-SEG train: 880 frames with a polyp
        dict(type='PolypSegDataset', data_root='data/polypgen-negatives',
             ann_file='splits/train.txt',  # + 79 frames without one, same pipeline
             pipeline={{_base_.train_pipeline}}),
    ]))

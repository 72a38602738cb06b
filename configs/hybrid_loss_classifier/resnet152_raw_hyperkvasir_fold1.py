# Fold 1 of the 2-fold cross-validation of He et al. (EndoTect 2020): train on split index 0,
# validate and test on split index 1.
_base_ = './resnet152_raw_hyperkvasir.py'

train_dataloader = dict(dataset=dict(fold=1))
val_dataloader = dict(dataset=dict(fold=1))
test_dataloader = val_dataloader

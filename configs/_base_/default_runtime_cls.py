_base_ = './default_runtime.py'
default_scope = 'mmpretrain'
default_hooks = dict(visualization=dict(type='VisualizationHook', enable=False))
visualizer = dict(type='UniversalVisualizer', vis_backends={{_base_.vis_backends}})

_base_ = './default_runtime.py'
default_scope = 'mmseg'
default_hooks = dict(visualization=dict(type='SegVisualizationHook'))
visualizer = dict(
    type='SegLocalVisualizer', vis_backends={{_base_.vis_backends}}, name='visualizer')

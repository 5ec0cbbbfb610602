"""Stage 3, training: the loop and the pieces it calls.

    loop          train(config, run_dir): start or resume a run; the command line `python -m stargan_nb train`
    checkpoints   resume from the latest complete checkpoint, save, refuse runs that cannot resume
    monitor       metrics.jsonl, TensorBoard, the progress bar, sample grids
    guards        stop requests (SIGINT / SIGTERM), divergence, bad images
    trained       what a run trained: Generator (G restored, numpy in and out), open_run (G + a test batch),
                  reference_grid; what evaluation and deployment start from

The graph it runs (losses, optimizers, the fused D-then-G iteration) is `model.training_graph`;
where a run keeps its files is `runs`.
"""

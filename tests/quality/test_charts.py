"""Chart geometry: weeks without data break the line, the target line sits at its value, bars scale."""

from hk.quality.charts import HEIGHT, bar_chart, line_chart, nice_top


def test_a_week_without_data_breaks_the_line_and_values_are_placed_between_bottom_and_top():
    chart = line_chart([0.9, None, 1.0, 0.6], ["a", "b", "c", "d"], top=1, target=0.9, bottom=0.6)
    assert len(chart.segments) == 2 and len(chart.dots) == 3
    x0, y0, x1, y1 = chart.plot
    assert chart.dots[1] == (round(x0 + 2 * (x1 - x0) / 3, 1), y0)  # 100 % at the top
    assert chart.dots[2][1] == y1  # 60 % (the bottom) on the axis
    assert chart.target_y == chart.dots[0][1]  # the first week is on the target
    assert [t.label for t in chart.ticks] == ["60%", "70%", "80%", "90%", "100%"]


def test_values_outside_the_range_stay_inside_the_chart_and_no_data_draws_nothing():
    chart = line_chart([2.0, -1.0], ["a", "b"], top=1)
    assert all(chart.plot[1] <= y <= chart.plot[3] for _, y in chart.dots)
    empty = line_chart([None, None], ["a", "b"], top=1)
    assert empty.segments == [] and empty.dots == [] and empty.height == HEIGHT


def test_at_most_about_eight_dates_under_a_year_of_weeks():
    chart = line_chart([0.5] * 53, [str(n) for n in range(53)], top=1)
    assert 6 <= len(chart.x_labels) <= 10


def test_bars_are_as_long_as_their_share_of_the_largest():
    chart = bar_chart([("电话", 10, "10"), ("网上", 5, "5"), ("到店", 0, "0")])
    lengths = [b.length for b in chart.bars]
    assert lengths[0] == 2 * lengths[1] and lengths[2] == 0
    assert chart.height == 3 * (chart.bars[1].y - chart.bars[0].y)
    assert bar_chart([]).bars == []


def test_an_axis_tops_at_a_round_number_and_its_ticks_read_plainly():
    assert [nice_top(v) for v in (1, 1.2, 3, 21.43, 60, 101)] == [1, 2, 5, 25, 100, 200]
    chart = line_chart([21.43, 5.0], ["a", "b"], top=nice_top(21.43), percent=False)
    assert [t.label for t in chart.ticks] == ["0", "5", "10", "15", "20", "25"]
    two = line_chart([1], ["a"], top=2, percent=False)
    assert [t.label for t in two.ticks] == ["0", "0.5", "1", "1.5", "2"]

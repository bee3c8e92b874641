package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mfadesk/mfadesk/store/storetest"
)

// TestReminderRunsOnceADay drives remindIfDue as housekeeping does, hourly
// and at each start, through the store's OnceEvery, over two weeks of the
// organisation's days, with restarts that move the hourly tick, downtime
// and a failed run: each day on which the process ran in the morning
// window, the reminder ran exactly once, in the window, told the start of
// that day; a day whose window it missed altogether, not at all.
func TestReminderRunsOnceADay(t *testing.T) {
	st, _ := storetest.SQLite(t)
	ctx := t.Context()
	once := func(ctx context.Context, name string, at time.Time, period time.Duration, job func() error) (bool, error) {
		return st.OnceEvery(ctx, name, "test", at, period, job)
	}
	tokyo := time.FixedZone("JST", 9*60*60)
	start := time.Date(2026, 12, 1, 0, 17, 0, 0, tokyo)
	const days = 14
	// Now and then the process restarts (housekeeping runs at once, then
	// hourly from there) or is down for a while: after the tick numbered.
	gaps := map[int]time.Duration{
		9:   23 * time.Minute,             // restart: 10:40 on Dec 1
		33:  3*time.Hour + 41*time.Minute, // down on Dec 2's morning, back at 14:21
		58:  2 * time.Minute,              // restart
		80:  15*time.Hour + 5*time.Minute, // down from Dec 4's noon to Dec 5's night
		110: 9 * time.Hour,                // down through Dec 6's window: no run
		150: 59 * time.Minute,             // restart inside Dec 8's window, after its run
		201: 3*time.Hour + 30*time.Minute, // down on Dec 10's afternoon
	}
	errDown := errors.New("store down")
	failDay, failed := 3, false // Dec 4's first try fails: tried again at the next tick
	runs := map[int][]time.Time{}
	window := map[int]int{} // ticks in each day's window
	tick := start
	for i := 0; tick.Before(start.AddDate(0, 0, days)); i++ {
		day := tick.YearDay() - start.YearDay()
		if h := tick.Hour(); h >= reminderFrom && h < reminderUntil {
			window[day]++
		}
		_, err := remindIfDue(ctx, once, tick, func(quietSince time.Time) error {
			if want := time.Date(tick.Year(), tick.Month(), tick.Day(), 0, 0, 0, 0, tokyo); !quietSince.Equal(want) {
				t.Errorf("run at %s told the day started %s, want %s", tick, quietSince, want)
			}
			if day == failDay && !failed {
				failed = true
				return errDown
			}
			runs[day] = append(runs[day], tick)
			return nil
		})
		if err != nil && !errors.Is(err, errDown) {
			t.Fatalf("at %s: %v", tick, err)
		}
		tick = tick.Add(time.Hour + gaps[i])
	}
	if !failed {
		t.Fatal("the failing run never happened: the test proves nothing about retries")
	}
	if window[5] != 0 {
		t.Fatalf("Dec 6 has %d ticks in the window; the gaps are meant to miss it", window[5])
	}
	for day := range days {
		got, want := runs[day], 1
		if window[day] == 0 {
			want = 0
		}
		if len(got) != want {
			t.Errorf("day %d: ran %d times %v, want %d", day+1, len(got), got, want)
			continue
		}
		for _, at := range got {
			if h := at.Hour(); h < reminderFrom || h >= reminderUntil {
				t.Errorf("day %d: ran at %s, outside %02d:00–%02d:00", day+1, at.Format("15:04"), reminderFrom, reminderUntil)
			}
		}
	}
}

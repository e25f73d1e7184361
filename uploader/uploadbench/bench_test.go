package uploadbench

import (
	"context"
	"testing"
	"time"
)

func TestTimingSplitsWallTimeIntoFlightAndFreeSlots(t *testing.T) {
	ms := time.Millisecond
	// Two slots over 10 ms: writes in flight 2-6 and 6-10 on one, 3-9 on
	// the other; the portal held each for 3 ms.
	writes := []span{{2 * ms, 6 * ms}, {6 * ms, 10 * ms}, {3 * ms, 9 * ms}}
	requests := []span{{3 * ms, 6 * ms}, {7 * ms, 10 * ms}, {4 * ms, 7 * ms}}
	tm := timingOf(12*ms, writes, requests, 2)
	want := Timing{Writes: 3, InFlightMS: Spread{Mean: 14.0 / 3, P50: 4, P90: 6, P99: 6, Max: 6}, PortalMS: Spread{Mean: 3, P50: 3, P90: 3, P99: 3, Max: 3},
		ClientMS: round(14.0/3-3, 3), SlotFreeMS: 5, FreePerWriteMS: round(10.0/3, 3), BeforeFirstMS: 2, AfterLastMS: 2}
	want.InFlightMS.Mean = round(want.InFlightMS.Mean, 3)
	if tm != want {
		t.Errorf("timing\n %+v, want\n %+v", tm, want)
	}
	if tm := timingOf(time.Second, nil, nil, 4); tm != (Timing{}) {
		t.Errorf("no writes: %+v, want nothing", tm)
	}
}

// The benchmark on a tiny site: every object goes once, the second run
// sends nothing, each write is clocked, and the portal sees no more
// connections than writes in flight (keep-alive carries the rest).
func TestRunUploadsATinySiteOverKeptAliveConnections(t *testing.T) {
	res, err := Run(context.Background(), Options{Items: 60, Files: 10, Latency: 2 * time.Millisecond, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Items != 60 || res.SecondRunPut != 0 {
		t.Errorf("uploaded %d (want 60), second run changed %d (want 0)", res.Items, res.SecondRunPut)
	}
	if res.Timing.Writes != 60 {
		t.Errorf("%d writes clocked, want 60", res.Timing.Writes)
	}
	if res.Timing.Connections < 1 || res.Timing.Connections > 4 {
		t.Errorf("the portal accepted %d connections for 4 writes in flight", res.Timing.Connections)
	}
	if res.RatioCeiling <= 0 || res.RatioCeiling > 1 {
		t.Errorf("ratio_ceiling %v, want in (0, 1]", res.RatioCeiling)
	}
	if res.PortalLatency != "answer_after" || res.RatioAdded <= 0 {
		t.Errorf("portal latency %q, ratio with the latency added %v: want answer_after, and a ratio", res.PortalLatency, res.RatioAdded)
	}
	if res.Timing.PortalMS.P50 < 2 {
		t.Errorf("the portal's median %v ms is below its 2 ms latency", res.Timing.PortalMS.P50)
	}
}

package uploadbench

import (
	"context"
	"io"
	"testing"
	"time"

	"perenos/procstat"
	"perenos/uploader"
)

func TestTimingSplitsWallTimeIntoFlightAndFreeSlots(t *testing.T) {
	ms := time.Millisecond
	// Two slots over 10 ms: writes in flight 2-6 and 6-10 on one, 3-9 on
	// the other; the portal held each for 3 ms.
	writes := []span{{2 * ms, 6 * ms}, {6 * ms, 10 * ms}, {3 * ms, 9 * ms}}
	requests := []time.Duration{3 * ms, 3 * ms, 3 * ms}
	tm := timingOf(12*ms, writes, requests, 2)
	want := Timing{Writes: 3, InFlightMS: Spread{Mean: 14.0 / 3, P50: 4, P90: 6, P99: 6, Max: 6}, PortalMS: Spread{Mean: 3, P50: 3, P90: 3, P99: 3, Max: 3},
		ClientMS: round(14.0/3-3, 3), SlotFreeMS: 5, SlotsBusy: round(14.0/24, 4), MaxInFlight: 2, FreePerWriteMS: round(10.0/3, 3), BeforeFirstMS: 2, AfterLastMS: 2}
	want.InFlightMS.Mean = round(want.InFlightMS.Mean, 3)
	if tm != want {
		t.Errorf("timing\n %+v, want\n %+v", tm, want)
	}
	if tm := timingOf(time.Second, nil, nil, 4); tm != (Timing{}) {
		t.Errorf("no writes: %+v, want nothing", tm)
	}
}

// The benchmark on a tiny site: every object goes once, the second run
// sends nothing, each write is clocked, and the portal sees a few
// connections, not one per write (keep-alive carries the rest). Go's
// transport may dial a connection while another is on its way back to
// the pool, so a loaded machine sees a few more than the writes in
// flight; without keep-alive it would be one per write, 60.
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
	if res.Timing.MaxInFlight < 1 || res.Timing.MaxInFlight > 4 {
		t.Errorf("%d writes in flight at once, with a concurrency of 4", res.Timing.MaxInFlight)
	}
	if res.Timing.Connections < 1 || res.Timing.Connections > 3*4 {
		t.Errorf("the portal accepted %d connections for 60 writes, 4 in flight: connections are not kept alive", res.Timing.Connections)
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

// The portal in its own process answers its configuration with its
// address, and reset and report with what it clocked: here ServePortal
// runs in a goroutine over pipes, as the benchmark's child would.
func TestServePortalTalksOverItsStandardStreams(t *testing.T) {
	ctx := context.Background()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	served := make(chan error, 1)
	go func() {
		err := ServePortal(ctx, inR, outW)
		outW.CloseWithError(err)
		served <- err
	}()
	wait := func() error { return <-served }
	p, err := dialRemotePortal(inW, outR, wait, portalConfig{Dir: t.TempDir(), Latency: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if p.info().URL == "" || p.info().ID == "" {
		t.Fatalf("the portal said %+v, want its address and ID", p.info())
	}
	if err := p.reset(); err != nil {
		t.Fatal(err)
	}
	target := uploader.NewPortal(p.info().URL, map[string]string{"bench": token}, uploader.PortalOptions{})
	ops := uploader.SyntheticSite("3801", 3, 0)
	for _, o := range ops {
		if _, err := target.Put(ctx, "bench", o.Key, o.Obj); err != nil {
			t.Fatal(err)
		}
	}
	r, err := p.report()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Requests) != len(ops) || r.Connections < 1 || (procstat.Now().OK && r.CPU <= 0) {
		t.Errorf("report %d requests (want %d), %d connections, CPU %v", len(r.Requests), len(ops), r.Connections, r.CPU)
	}
	if err := p.reset(); err != nil {
		t.Fatal(err)
	}
	if r, err := p.report(); err != nil || len(r.Requests) != 0 {
		t.Errorf("after a reset: %d requests, %v; want none", len(r.Requests), err)
	}
	if err := p.close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

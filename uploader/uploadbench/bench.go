// Package uploadbench measures the uploader against the reference portal
// with a fixed latency: how close an upload comes to the rate its
// concurrency allows (concurrency ÷ latency).
package uploadbench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"perenos/procstat"
	"perenos/store"
	"perenos/uploader"
)

// Options set the benchmark's size.
type Options struct {
	Items       int           // objects in the synthetic site, files included (2000)
	Files       int           // of which files, each with its document (500)
	Latency     time.Duration // the portal's latency (20ms): when it answers each request after its arrival
	Concurrency int           // objects in flight (8)
	// PortalFsync also runs the upload against a portal that syncs every
	// commit to disk, and reports that ratio beside the judged one.
	PortalFsync bool
	// ProfileDir, when set, receives the judged run's CPU profile
	// (upload.cpu.pprof), its allocations (upload.allocs.pprof) and its
	// execution trace (upload.trace, for go tool trace: which slots
	// stood idle, and why).
	ProfileDir string
	// PortalServer, when set, makes the command that runs the portal in
	// its own process (this program, calling ServePortal), so that the
	// portal's CPU and garbage collection are not the uploader's; nil
	// runs it in this process.
	PortalServer func(ctx context.Context) *exec.Cmd
}

// Result is what the benchmark prints.
type Result struct {
	Items        int     `json:"items"`
	Seconds      float64 `json:"seconds"`
	ItemsPerSec  float64 `json:"items_per_sec"`
	LimitPerSec  float64 `json:"limit_items_per_sec"`
	Ratio        float64 `json:"ratio_to_limit"`
	Concurrency  int     `json:"concurrency"`
	LatencyMS    float64 `json:"latency_ms"`
	SecondRunSec float64 `json:"second_run_seconds"` // the same upload again: nothing to send
	SecondRunPut int     `json:"second_run_changed"`
	// PortalFsync is false for the judged run: the in-process portal skips
	// fsync so that its disk is not counted as portal latency; the
	// uploader's ledger still commits every item durably.
	PortalFsync bool `json:"portal_fsync"`
	// PortalStorage is where the judged run's portal kept its storage:
	// "memory" (a memory-backed folder such as /dev/shm) or "disk".
	PortalStorage string `json:"portal_storage"`
	// PortalLatency is how the judged run's portal applied the latency:
	// "answer_after", each answer held until the latency has passed since
	// its request arrived, the portal's own work included, so that the
	// portal answers in the latency the limit is computed from (its work,
	// on the machine the uploader runs on, is not the uploader's to count).
	PortalLatency string `json:"portal_latency"`
	// RatioAdded is the same upload's ratio against a portal that adds
	// the latency to its work (server.Faults.Latency), as the benchmark
	// measured before "answer_after": the gap to ratio_to_limit is the
	// portal's own work and wake-ups, which timing.portal_ms shows.
	RatioAdded   float64 `json:"ratio_to_limit_added_latency"`
	SecondsAdded float64 `json:"seconds_added_latency"`
	// RatioFsync is the same upload's ratio with the portal's fsync on
	// (--portal-fsync only), its latency applied as in the judged run.
	RatioFsync   *float64 `json:"ratio_to_limit_fsync,omitempty"`
	SecondsFsync *float64 `json:"seconds_fsync,omitempty"`
	// RatioCeiling is the best ratio_to_limit any uploader could reach on
	// this site: its writes over Plan.IdealRounds × latency (dependencies
	// and the tail, with no overhead at all), against the limit.
	RatioCeiling float64 `json:"ratio_ceiling"`
	// LatencyOverInFlight is the latency over the writes' mean time in
	// flight: with timing.slots_busy and ratio_ceiling it explains the
	// judged ratio, which is about their product.
	LatencyOverInFlight float64 `json:"latency_over_in_flight"`
	IdealSeconds        float64 `json:"ideal_seconds"`
	// PortalProcess is "own" when the portal ran in its own process,
	// "shared" when in the uploader's.
	PortalProcess string `json:"portal_process"`
	// CPUMsPerObject is this process's CPU time during the judged upload
	// over its objects: the uploader's, and the portal's too when it
	// shares the process.
	CPUMsPerObject float64 `json:"cpu_ms_per_object"`
	// PortalCPUMsPerObject is the portal process's CPU time over the
	// objects, when it ran in its own.
	PortalCPUMsPerObject *float64 `json:"portal_cpu_ms_per_object,omitempty"`
	// Timing says where the judged run's wall time went.
	Timing Timing `json:"timing"`
	// LoadStart and LoadEnd are the machine's one-minute load average
	// before and after the benchmark.
	LoadStart float64 `json:"load_avg_start"`
	LoadEnd   float64 `json:"load_avg_end"`
}

// Run uploads a synthetic site to a reference portal on loopback, in its
// own process when opt.PortalServer says how to start one.
func Run(ctx context.Context, opt Options) (*Result, error) {
	if opt.Items <= 0 {
		opt.Items = 2000
	}
	if opt.Files < 0 || opt.Files > opt.Items/2 {
		return nil, fmt.Errorf("files %d must be between 0 and half the items", opt.Files)
	}
	if opt.Latency <= 0 {
		opt.Latency = 20 * time.Millisecond
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 8
	}
	res := &Result{Concurrency: opt.Concurrency, LatencyMS: float64(opt.Latency) / float64(time.Millisecond),
		LimitPerSec: float64(opt.Concurrency) / opt.Latency.Seconds(), LoadStart: loadAverage()}
	run, err := upload(ctx, opt, portalSetup{}, opt.ProfileDir)
	if err != nil {
		return nil, err
	}
	res.PortalLatency = "answer_after"
	res.Items, res.Seconds = run.items, run.first.Seconds()
	res.ItemsPerSec = float64(run.items) / run.first.Seconds()
	res.Ratio = res.ItemsPerSec / res.LimitPerSec
	res.SecondRunSec, res.SecondRunPut = run.second.Seconds(), run.secondChanged
	res.PortalStorage = run.portalStorage
	ideal := time.Duration(run.idealRounds) * opt.Latency
	res.IdealSeconds = ideal.Seconds()
	if ideal > 0 {
		res.RatioCeiling = round(float64(run.items)/ideal.Seconds()/res.LimitPerSec, 4)
	}
	res.CPUMsPerObject = round(ms(run.cpu)/float64(max(run.items, 1)), 4)
	res.PortalProcess = "shared"
	if opt.PortalServer != nil {
		res.PortalProcess = "own"
		v := round(ms(run.portalCPU)/float64(max(run.items, 1)), 4)
		res.PortalCPUMsPerObject = &v
	}
	res.Timing = run.timing
	if m := run.timing.InFlightMS.Mean; m > 0 {
		res.LatencyOverInFlight = round(res.LatencyMS/m, 4)
	}
	added, err := upload(ctx, opt, portalSetup{addLatency: true}, "")
	if err != nil {
		return nil, err
	}
	res.SecondsAdded = round(added.first.Seconds(), 4)
	res.RatioAdded = round(float64(added.items)/added.first.Seconds()/res.LimitPerSec, 4)
	if opt.PortalFsync {
		synced, err := upload(ctx, opt, portalSetup{fsync: true}, "")
		if err != nil {
			return nil, err
		}
		secs := synced.first.Seconds()
		ratio := float64(synced.items) / secs / res.LimitPerSec
		res.RatioFsync, res.SecondsFsync = &ratio, &secs
	}
	res.LoadEnd = loadAverage()
	return res, nil
}

type runResult struct {
	items         int
	first, second time.Duration
	secondChanged int
	portalStorage string
	idealRounds   int
	cpu           time.Duration // the process's CPU time during the first upload
	portalCPU     time.Duration // the portal process's, when it has its own
	timing        Timing
}

// memoryDirs are memory-backed folders the portal may keep its storage in.
var memoryDirs = []string{"/dev/shm"}

// portalDir is a fresh folder for the portal's storage. With the portal's
// fsync off its disk is meant to be left out of the measure, but fsync
// off is not enough: on a disk shared with other work the portal's file
// creations and renames still wait for the filesystem's journal (stalls
// of 20-240 ms were measured, each holding every request in flight), so
// the portal then keeps its storage in memory where it can. With fsync
// on, the portal's disk is what is measured, and it stays on disk. The
// uploader's ledger is on disk either way.
func portalDir(dir string, fsync bool) (string, string, error) {
	if !fsync {
		for _, m := range memoryDirs {
			if d, err := os.MkdirTemp(m, "perenos-bench-portal-"); err == nil {
				return d, "memory", nil
			}
		}
	}
	d := filepath.Join(dir, "portal")
	return d, "disk", os.MkdirAll(d, 0o700)
}

// portalSetup is how a run's portal behaves.
type portalSetup struct {
	fsync bool // sync every commit, storage on disk
	// addLatency adds the latency to the portal's work instead of
	// holding each answer until the latency has passed.
	addLatency bool
}

// startPortal starts a run's portal with its storage in pdir, in its own
// process when opt says how.
func startPortal(ctx context.Context, opt Options, setup portalSetup, pdir string) (benchPortal, error) {
	cfg := portalConfig{Dir: pdir, Fsync: setup.fsync, Added: setup.addLatency, Latency: opt.Latency}
	if opt.PortalServer == nil {
		return startLocalPortal(cfg, false)
	}
	return startRemotePortal(opt.PortalServer(ctx), cfg)
}

// upload runs one upload of the synthetic site, and the same upload
// again, into a fresh portal and workspace.
func upload(ctx context.Context, opt Options, setup portalSetup, profileDir string) (_ *runResult, err error) {
	dir, err := os.MkdirTemp("", "perenos-bench-upload-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	pdir, storage, err := portalDir(dir, setup.fsync)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(pdir)
	pt, err := startPortal(ctx, opt, setup, pdir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := pt.close(); err == nil && cerr != nil {
			err = fmt.Errorf("bench portal: %w", cerr)
		}
	}()
	ws, err := store.Open(ctx, filepath.Join(dir, "ws"), store.Options{Command: "perenos bench upload"})
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	var writes clock
	target := &timedTarget{Target: uploader.NewPortal(pt.info().URL, map[string]string{"bench": token}, uploader.PortalOptions{}), c: &writes}
	org := &store.Org{ID: "3801999999", PortalSite: "bench"}
	ops := uploader.SyntheticSite(org.ID, opt.Items-opt.Files, opt.Files)
	exec := uploader.ExecOptions{Concurrency: opt.Concurrency}
	portalID := store.PortalID(pt.info().ID)

	var rounds int
	once := func(prof *profiler) (time.Duration, *uploader.Report, error) {
		known, err := ws.IDMap(org.ID, portalID)
		if err != nil {
			return 0, nil, err
		}
		if err := pt.reset(); err != nil {
			return 0, nil, err
		}
		start := time.Now()
		writes.reset(start)
		plan := uploader.MakePlan(portalID, ops, known, uploader.Options{})
		rep, err := plan.Execute(ctx, ws, target, org, exec)
		elapsed := time.Since(start)
		if perr := prof.end(); err == nil {
			err = perr
		}
		if err == nil && rep.Failed > 0 {
			err = fmt.Errorf("%d items failed, first: %s", rep.Failed, rep.Errors[0].Err)
		}
		rounds = plan.IdealRounds(opt.Concurrency)
		return elapsed, rep, err
	}
	prof, err := startProfile(profileDir)
	if err != nil {
		return nil, err
	}
	u0 := procstat.Now()
	d, rep, err := once(prof)
	u1 := procstat.Now()
	if err != nil {
		return nil, err
	}
	pr, err := pt.report()
	if err != nil {
		return nil, err
	}
	out := &runResult{items: rep.Created + rep.Updated, first: d, portalStorage: storage, idealRounds: rounds,
		cpu: u1.CPU - u0.CPU, portalCPU: pr.CPU}
	out.timing = timingOf(d, writes.taken(), pr.Requests, opt.Concurrency)
	out.timing.Connections = pr.Connections
	d2, rep2, err := once(nil)
	if err != nil {
		return nil, err
	}
	out.second, out.secondChanged = d2, rep2.Changed()
	return out, nil
}

// loadAverage is the machine's one-minute load average (0 where
// /proc/loadavg is not there).
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

package regionbench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// profiler writes a stage's profiles into a folder: its CPU profile
// (<stage>.cpu.pprof), the allocations so far at its end
// (<stage>.allocs.pprof, cumulative: diff with the previous stage's by
// -diff_base), and the heap when its live objects were largest
// (<stage>.heap.pprof), for finding where a stage's time and memory go.
type profiler struct {
	dir   string
	stage string
	cpu   *os.File
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startProfile(dir, stage string) (*profiler, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("profile folder: %w", err)
	}
	p := &profiler{dir: dir, stage: stage, stop: make(chan struct{})}
	f, err := os.Create(filepath.Join(dir, stage+".cpu.pprof"))
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("profile: %w", err)
	}
	p.cpu = f
	p.wg.Go(p.watchHeap)
	return p, nil
}

// watchHeap writes a heap profile whenever the live heap has grown a
// tenth past its largest so far.
func (p *profiler) watchHeap() {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var top uint64
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > top+top/10 {
			top = v
			if f, err := os.Create(filepath.Join(p.dir, p.stage+".heap.pprof")); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	}
}

func (p *profiler) end() error {
	if p == nil {
		return nil
	}
	close(p.stop)
	p.wg.Wait()
	pprof.StopCPUProfile()
	if err := p.cpu.Close(); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(p.dir, p.stage+".allocs.pprof"))
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}

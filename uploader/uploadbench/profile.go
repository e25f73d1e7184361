package uploadbench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
)

// profiler writes an upload's CPU profile and execution trace and, at its
// end, the allocations made, into a folder.
type profiler struct {
	dir        string
	cpu, trace *os.File
}

// startProfile starts profiling into dir; with dir empty it does nothing
// (and its nil profiler ends doing nothing).
func startProfile(dir string) (*profiler, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("profile folder %s: %w", dir, err)
	}
	p := &profiler{dir: dir}
	var err error
	if p.cpu, err = os.Create(filepath.Join(dir, "upload.cpu.pprof")); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if err := pprof.StartCPUProfile(p.cpu); err != nil {
		p.cpu.Close()
		return nil, fmt.Errorf("profile %s: %w", p.cpu.Name(), err)
	}
	if p.trace, err = os.Create(filepath.Join(dir, "upload.trace")); err == nil {
		err = trace.Start(p.trace)
	}
	if err != nil {
		pprof.StopCPUProfile()
		p.cpu.Close()
		if p.trace != nil {
			p.trace.Close()
		}
		return nil, fmt.Errorf("trace: %w", err)
	}
	return p, nil
}

// end stops profiling and writes the allocations.
func (p *profiler) end() error {
	if p == nil {
		return nil
	}
	trace.Stop()
	pprof.StopCPUProfile()
	errs := []error{p.trace.Close(), p.cpu.Close()}
	name := filepath.Join(p.dir, "upload.allocs.pprof")
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	errs = append(errs, pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("profile %s: %w", p.dir, err)
	}
	return nil
}

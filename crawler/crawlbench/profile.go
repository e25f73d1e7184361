package crawlbench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// profiler writes the crawl's CPU profile and, at its end, the
// allocations it made, into a folder.
type profiler struct {
	dir string
	cpu *os.File
}

func startProfile(dir string) (*profiler, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("profile folder %s: %w", dir, err)
	}
	f, err := os.Create(filepath.Join(dir, "crawl.cpu.pprof"))
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("profile %s: %w", f.Name(), err)
	}
	return &profiler{dir: dir, cpu: f}, nil
}

func (p *profiler) end() error {
	if p == nil {
		return nil
	}
	pprof.StopCPUProfile()
	if err := p.cpu.Close(); err != nil {
		return fmt.Errorf("profile %s: %w", p.cpu.Name(), err)
	}
	name := filepath.Join(p.dir, "crawl.allocs.pprof")
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("profile %s: %w", name, err)
	}
	return f.Close()
}

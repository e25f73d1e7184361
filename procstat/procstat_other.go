//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package procstat

// now reports nothing where getrusage is not available (Windows): the
// benchmarks print their timings without CPU and memory figures there.
func now() Usage { return Usage{} }

//go:build !linux

package store

import "os"

// fdatasync falls back to fsync where fdatasync(2) does not exist.
func fdatasync(f *os.File) error { return f.Sync() }

package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes the file system holding dir: one call makes durable every
// blob written before it, instead of one fsync per blob.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}

package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// fdatasync makes a file's bytes and length durable, without the other
// metadata fsync also writes.
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }

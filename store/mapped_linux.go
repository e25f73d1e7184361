package store

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// canRelease says whether releaseFile does anything here.
const canRelease = true

// releaseFile drops size bytes of a read-only shared file mapping at addr
// from the process's page tables (madvise MADV_DONTNEED): the file's pages
// stay in the page cache, and a later read maps them again with the
// file's contents. For a file mapping this loses nothing; it must never be
// given anonymous memory, whose contents it would zero.
func releaseFile(addr uintptr, size int64) error {
	if addr == 0 || size <= 0 {
		return nil
	}
	if _, _, errno := unix.Syscall(unix.SYS_MADVISE, addr, uintptr(size), unix.MADV_DONTNEED); errno != 0 {
		return fmt.Errorf("release the ledger's mapped pages: %w", errno)
	}
	return nil
}

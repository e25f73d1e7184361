// Package ziplimit checks a zip archive (DOCX, ODT, XLSX) against limits
// on what it would unpack to, before anyone unpacks it: the number of
// entries, the size of each entry and of all of them, and how much each
// entry grows. A few hundred kilobytes of zip can hold gigabytes; the
// checks use the sizes the archive declares, which archive/zip enforces
// while reading (an entry that inflates past its declared size is an
// error), so what passes here cannot grow past the limits later.
//
// It imports nothing of perenos, so every package that opens archives can
// use it.
package ziplimit

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Limits bound what an archive may unpack to. Zero values take the
// defaults.
type Limits struct {
	// MaxEntries is the most entries the archive may list (default 10,000).
	MaxEntries int
	// MaxEntry is the largest unpacked size of one entry (default 64 MiB).
	MaxEntry int64
	// MaxTotal is the largest unpacked size of all entries together
	// (default 256 MiB).
	MaxTotal int64
	// MaxRatio is the most an entry may grow, unpacked size over packed
	// size (default 100). Entries smaller than RatioFrom are not held to it:
	// a few kilobytes cannot hurt, and small XML parts pack very well.
	MaxRatio float64
	// RatioFrom is the unpacked size from which MaxRatio applies (default 1 MiB).
	RatioFrom int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = 10_000
	}
	if l.MaxEntry <= 0 {
		l.MaxEntry = 64 << 20
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = 256 << 20
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 100
	}
	if l.RatioFrom <= 0 {
		l.RatioFrom = 1 << 20
	}
	return l
}

// ErrLimit is wrapped by every *Error: the archive would unpack beyond a limit.
var ErrLimit = errors.New("archive unpacks beyond the limits")

// ErrNotZip says the bytes are not a readable zip archive.
var ErrNotZip = errors.New("not a zip archive")

// Error says which limit an archive exceeds, and by what.
type Error struct {
	Entry string // the entry at fault; empty for the whole archive
	What  string // "entries", "size", "total size" or "ratio"
	Got   float64
	Limit float64
}

func (e *Error) Error() string {
	switch e.What {
	case "entries":
		return fmt.Sprintf("the archive lists %.0f entries, more than the %.0f allowed", e.Got, e.Limit)
	case "size":
		return fmt.Sprintf("%s would unpack to %s, over the limit of %s", e.Entry, Bytes(int64(e.Got)), Bytes(int64(e.Limit)))
	case "total size":
		return fmt.Sprintf("the archive would unpack to %s, over the limit of %s", Bytes(int64(e.Got)), Bytes(int64(e.Limit)))
	case "ratio":
		return fmt.Sprintf("%s would grow %.0f times when unpacked, more than the %.0f allowed (a zip bomb, or a damaged file)", e.Entry, e.Got, e.Limit)
	}
	return fmt.Sprintf("%s: %s %.0f over %.0f", e.Entry, e.What, e.Got, e.Limit)
}

// Unwrap makes errors.Is(err, ErrLimit) hold.
func (e *Error) Unwrap() error { return ErrLimit }

// Open reads the directory of the archive in data, refusing one that
// lists more than lim.MaxEntries entries before archive/zip holds them in
// memory. It checks no sizes: Check does that for every entry, and
// CheckEntry for one entry (a reader that unpacks only word/document.xml
// need not refuse a large picture beside it). The errors wrap ErrLimit
// (with an *Error saying which limit) or ErrNotZip.
func Open(data []byte, lim Limits) (*zip.Reader, error) {
	lim = lim.withDefaults()
	if n, ok := directoryEntries(data); ok && n > uint64(lim.MaxEntries) {
		return nil, &Error{What: "entries", Got: float64(n), Limit: float64(lim.MaxEntries)}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotZip, err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, &Error{What: "entries", Got: float64(len(zr.File)), Limit: float64(lim.MaxEntries)}
	}
	return zr, nil
}

// Check checks the declared sizes of every entry of an archive against
// lim, for a reader that unpacks all of it (excelize does).
func Check(zr *zip.Reader, lim Limits) error {
	lim = lim.withDefaults()
	if len(zr.File) > lim.MaxEntries {
		return &Error{What: "entries", Got: float64(len(zr.File)), Limit: float64(lim.MaxEntries)}
	}
	var total uint64
	for _, f := range zr.File {
		if err := CheckEntry(f, lim); err != nil {
			return err
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxTotal) {
			return &Error{What: "total size", Got: float64(sumSizes(zr)), Limit: float64(lim.MaxTotal)}
		}
	}
	return nil
}

// CheckEntry checks one entry's declared sizes against lim.
func CheckEntry(f *zip.File, lim Limits) error {
	lim = lim.withDefaults()
	size := f.UncompressedSize64
	if size > uint64(lim.MaxEntry) {
		return &Error{Entry: f.Name, What: "size", Got: float64(size), Limit: float64(lim.MaxEntry)}
	}
	if size >= uint64(lim.RatioFrom) {
		ratio := float64(size) / float64(max(f.CompressedSize64, 1))
		if ratio > lim.MaxRatio {
			return &Error{Entry: f.Name, What: "ratio", Got: ratio, Limit: lim.MaxRatio}
		}
	}
	return nil
}

func sumSizes(zr *zip.Reader) uint64 {
	var n uint64
	for _, f := range zr.File {
		n += f.UncompressedSize64
	}
	return n
}

// directoryEntries counts the entries archive/zip would read: the
// directory-header signatures from where the end record says the
// directory starts (the zip64 end record, if there is one) to the end of
// the data. A forged entry count in the end record does not hide entries,
// since archive/zip reads every header it finds there.
func directoryEntries(data []byte) (uint64, bool) {
	const eocdLen, maxComment = 22, 65535
	start := max(0, len(data)-eocdLen-maxComment)
	i := bytes.LastIndex(data[start:], []byte("PK\x05\x06"))
	if i < 0 {
		return 0, false
	}
	i += start
	if len(data)-i < eocdLen {
		return 0, false
	}
	dir := uint64(binary.LittleEndian.Uint32(data[i+16:]))
	if loc := i - 20; dir == 0xFFFFFFFF && loc >= 0 && bytes.Equal(data[loc:loc+4], []byte("PK\x06\x07")) {
		// zip64: the locator, right before the end record, points at the
		// zip64 end record, which holds the directory's offset
		off := binary.LittleEndian.Uint64(data[loc+8:])
		if off <= uint64(len(data)) && uint64(len(data))-off >= 56 && bytes.Equal(data[off:off+4], []byte("PK\x06\x06")) {
			dir = binary.LittleEndian.Uint64(data[off+48:])
		}
	}
	if dir > uint64(len(data)) {
		return 0, false
	}
	return uint64(bytes.Count(data[dir:], []byte("PK\x01\x02"))), true
}

// Bytes writes a size as people read it: 306 KB, 771 MB.
func Bytes(n int64) string {
	switch {
	case n >= 10<<30:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

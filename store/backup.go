package store

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A workspace archive (perenos backup FILE.tar) is one tar file:
//
//	perenos-backup.json  what it is: ArchiveHeader
//	ledger.db            the ledger as one read transaction saw it
//	blobs/xx/<sha256>    every blob (a packed one too, as a file)
//	<folder>/...         the files of the folders asked for (acts/)
//	MANIFEST.sha256      a line per file above: "<sha256> <size> <path>"
//
// The ledger is copied first, in one read transaction, and the files
// after it: a stage writes its files (blobs, an act's PDF, a signed scan)
// before the ledger transaction that names them commits, so every file
// the copied ledger names is already there. Files written later are extra
// and harmless. Restore checks every file against the manifest.
const (
	archiveHeaderName   = "perenos-backup.json"
	archiveManifestName = "MANIFEST.sha256"
	archiveFormat       = 1
)

// ArchiveHeader describes an archive.
type ArchiveHeader struct {
	Format    int       `json:"format"`
	Created   time.Time `json:"created"`
	Workspace string    `json:"workspace"` // where it was taken from
	Schema    uint64    `json:"ledger_schema"`
	Folders   []string  `json:"folders"` // besides the ledger and the blobs
}

// ArchiveStats says what an archive holds.
type ArchiveStats struct {
	LedgerBytes int64 `json:"ledger_bytes"`
	Blobs       int   `json:"blobs"`
	Files       int   `json:"files"` // in the folders
	Bytes       int64 `json:"bytes"` // of the archive
	// Damaged are blobs whose content does not hash to their name; they are
	// archived as they are.
	Damaged []string `json:"damaged,omitempty"`
}

// ErrInsideWorkspace says a backup's destination lies in the workspace it copies.
var ErrInsideWorkspace = errors.New("the destination is inside the workspace it would back up")

// Backup writes a consistent copy of the ledger alone to path while the
// workspace stays in use (a read transaction sees one snapshot). path may
// not lie inside the workspace, which also keeps the live ledger from
// being its own destination.
func (w *Workspace) Backup(path string) (int64, error) {
	if err := w.outside(path); err != nil {
		return 0, err
	}
	var n int64
	err := writeAtomically(path, func(f *os.File) error {
		return w.db.View(func(tx *bolt.Tx) error {
			var err error
			n, err = tx.WriteTo(f)
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	return n, nil
}

// Archive writes the whole workspace to path as one tar: the ledger, the
// blobs and the files of the given folders of the workspace (e.g. "acts"),
// consistent while other work goes on in this process, with a manifest of
// every file's SHA-256. path may not lie inside the workspace.
func (w *Workspace) Archive(ctx context.Context, path string, folders []string) (*ArchiveStats, error) {
	if err := w.outside(path); err != nil {
		return nil, err
	}
	for _, f := range folders {
		if !fs.ValidPath(f) || f == "." || f == blobDir || f == LedgerFile {
			return nil, fmt.Errorf("backup: folder %q is not a folder of the workspace", f)
		}
	}
	st := &ArchiveStats{}
	err := writeAtomically(path, func(f *os.File) error {
		cw := &countingWriter{w: f}
		bw := bufio.NewWriterSize(cw, 1<<20)
		tw := tar.NewWriter(bw)
		a := &archiver{tw: tw}
		if err := w.archive(ctx, a, st, folders); err != nil {
			return err
		}
		if err := tw.Close(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		st.Bytes = cw.n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup to %s: %w", path, err)
	}
	return st, nil
}

func (w *Workspace) archive(ctx context.Context, a *archiver, st *ArchiveStats, folders []string) error {
	var schema uint64
	_ = w.db.View(func(tx *bolt.Tx) error { schema = schemaVersion(tx); return nil })
	head, _ := json.MarshalIndent(ArchiveHeader{Format: archiveFormat, Created: w.now(), Workspace: w.Dir, Schema: schema, Folders: folders}, "", "  ")
	if err := a.bytes(archiveHeaderName, head, w.now()); err != nil {
		return err
	}
	// The ledger first, in one read transaction.
	err := w.db.View(func(tx *bolt.Tx) error {
		st.LedgerBytes = tx.Size()
		return a.stream(LedgerFile, tx.Size(), w.now(), func(out io.Writer) error {
			_, err := tx.WriteTo(out)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("the ledger: %w", err)
	}
	blobs := filepath.Join(w.Dir, blobDir)
	archived := map[string]bool{}
	err = filepath.WalkDir(blobs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, w.Dir+string(filepath.Separator)))
		switch {
		case d.IsDir() && d.Name() == "tmp" && filepath.Dir(p) == blobs:
			return filepath.SkipDir // unfinished writes
		case d.IsDir(), !d.Type().IsRegular(), !isBlobPath(rel):
			return nil
		}
		sum, err := a.file(rel, p)
		if err != nil {
			return err
		}
		st.Blobs++
		archived[path.Base(rel)] = true
		if sum != path.Base(rel) {
			st.Damaged = append(st.Damaged, path.Base(rel))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("the blobs: %w", err)
	}
	// Packed blobs go into the archive as files of their own, as the
	// per-file store kept them: the archive's format does not change, and
	// a restored workspace reads them as files.
	for _, e := range w.Blobs.pack.entries() {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.ID.String()
		if archived[name] {
			continue
		}
		data, err := w.Blobs.pack.read(e.ID, e.Loc)
		if err != nil {
			st.Damaged = append(st.Damaged, name) // not archived: its bytes are not intact
			continue
		}
		if err := a.bytes(blobDir+"/"+name[:2]+"/"+name, data, w.now()); err != nil {
			return fmt.Errorf("the blobs: %w", err)
		}
		archived[name] = true
		st.Blobs++
	}
	for _, folder := range folders {
		root := filepath.Join(w.Dir, filepath.FromSlash(folder))
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return nil // nothing written there yet
			}
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if d.IsDir() || !d.Type().IsRegular() || strings.HasSuffix(d.Name(), ".tmp") {
				return nil
			}
			rel := filepath.ToSlash(strings.TrimPrefix(p, w.Dir+string(filepath.Separator)))
			if _, err := a.file(rel, p); err != nil {
				return err
			}
			st.Files++
			return nil
		})
		if err != nil {
			return fmt.Errorf("the folder %s: %w", folder, err)
		}
	}
	return a.bytes(archiveManifestName, []byte(a.manifest.String()), w.now())
}

// isBlobPath reports whether a path relative to the workspace names a blob.
func isBlobPath(rel string) bool {
	dir, name := path.Split(rel)
	if len(name) != 64 || dir != blobDir+"/"+name[:2]+"/" {
		return false
	}
	_, err := hex.DecodeString(name)
	return err == nil
}

// archiver writes tar entries and keeps the manifest of what it wrote.
type archiver struct {
	tw       *tar.Writer
	manifest strings.Builder
}

func (a *archiver) stream(name string, size int64, mod time.Time, write func(io.Writer) error) error {
	hdr := &tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: mod, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	h := sha256.New()
	if err := write(io.MultiWriter(a.tw, h)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if name != archiveHeaderName && name != archiveManifestName {
		fmt.Fprintf(&a.manifest, "%x %d %s\n", h.Sum(nil), size, name)
	}
	return nil
}

func (a *archiver) bytes(name string, data []byte, mod time.Time) error {
	return a.stream(name, int64(len(data)), mod, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// file archives one file under name and returns its SHA-256. The size is
// the open file's, so a file replaced meanwhile is read whole as it was.
func (a *archiver) file(name, p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	before := a.manifest.Len()
	err = a.stream(name, fi.Size(), fi.ModTime(), func(w io.Writer) error {
		_, err := io.CopyN(w, f, fi.Size())
		return err
	})
	if err != nil {
		return "", err
	}
	line := a.manifest.String()[before:]
	return line[:64], nil
}

// Restore brings a workspace back from an archive written by Archive into
// dir, which must be empty or not exist. Every file is checked against
// the archive's manifest and the ledger is checked page by page; nothing
// is left in dir unless all of it is right.
func Restore(ctx context.Context, archive, dir string) (*ArchiveHeader, *ArchiveStats, error) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, nil, fmt.Errorf("restore into %s: the folder is not empty; restore into a new or empty folder (--home)", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("restore into %s: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, nil, fmt.Errorf("restore into %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(abs)+".restoring-")
	if err != nil {
		return nil, nil, fmt.Errorf("restore into %s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	head, st, err := unpack(ctx, archive, tmp)
	if err != nil {
		return nil, nil, fmt.Errorf("restore %s: %w", archive, err)
	}
	if err := checkLedger(filepath.Join(tmp, LedgerFile)); err != nil {
		return nil, nil, fmt.Errorf("restore %s: %w", archive, err)
	}
	if err := syncFS(tmp); err != nil {
		return nil, nil, fmt.Errorf("restore %s: %w", archive, err)
	}
	if err := os.Remove(abs); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("restore into %s: %w", dir, err) // not empty after all
	}
	if err := os.Rename(tmp, abs); err != nil {
		return nil, nil, fmt.Errorf("restore into %s: %w", dir, err)
	}
	done = true
	return head, st, nil
}

var errCutShort = errors.New("the archive was cut short (copied or written incompletely)")

// unpack extracts an archive into dir, checking names, sizes and hashes.
func unpack(ctx context.Context, archive, dir string) (*ArchiveHeader, *ArchiveStats, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	tr := tar.NewReader(bufio.NewReaderSize(f, 1<<20))
	var head *ArchiveHeader
	got := map[string]string{} // path → "sha256 size"
	var manifest []byte
	st := &ArchiveStats{}
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, errCutShort
		}
		if err != nil {
			return nil, nil, fmt.Errorf("not a perenos backup (a tar written by perenos backup FILE.tar): %w", err)
		}
		name := hdr.Name
		switch {
		case head == nil && name != archiveHeaderName:
			return nil, nil, fmt.Errorf("not a perenos backup: it does not start with %s", archiveHeaderName)
		case hdr.Typeflag == tar.TypeDir:
			continue
		case hdr.Typeflag != tar.TypeReg:
			return nil, nil, fmt.Errorf("entry %q is not a regular file", name)
		case manifest != nil:
			return nil, nil, fmt.Errorf("entry %q follows the manifest", name)
		}
		if name == archiveHeaderName || name == archiveManifestName {
			if hdr.Size > 64<<20 {
				return nil, nil, fmt.Errorf("%s of %d bytes", name, hdr.Size)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", name, err)
			}
			if name == archiveManifestName {
				manifest = data
				continue
			}
			if head != nil {
				return nil, nil, fmt.Errorf("a second %s", name)
			}
			head = &ArchiveHeader{}
			if err := json.Unmarshal(data, head); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", name, err)
			}
			if head.Format != archiveFormat {
				return nil, nil, fmt.Errorf("backup format %d; this perenos reads format %d", head.Format, archiveFormat)
			}
			continue
		}
		if err := allowedEntry(name, head.Folders); err != nil {
			return nil, nil, err
		}
		if _, dup := got[name]; dup {
			return nil, nil, fmt.Errorf("entry %q appears twice", name)
		}
		sum, err := extract(tr, filepath.Join(dir, filepath.FromSlash(name)), hdr.Size)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil, fmt.Errorf("%s: %w", name, errCutShort)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		got[name] = sum + " " + strconv.FormatInt(hdr.Size, 10)
		switch {
		case name == LedgerFile:
			st.LedgerBytes = hdr.Size
		case strings.HasPrefix(name, blobDir+"/"):
			st.Blobs++
			if sum != path.Base(name) {
				st.Damaged = append(st.Damaged, path.Base(name))
			}
		default:
			st.Files++
		}
	}
	if head == nil {
		return nil, nil, errors.New("not a perenos backup: it is empty")
	}
	if manifest == nil {
		return nil, nil, fmt.Errorf("%w: it ends before its manifest (%s)", errCutShort, archiveManifestName)
	}
	want := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(manifest), "\n"), "\n") {
		if line == "" {
			continue
		}
		parts := strings.SplitN(line, " ", 3)
		if len(parts) != 3 {
			return nil, nil, fmt.Errorf("%s line %d is not «sha256 size path»", archiveManifestName, i+1)
		}
		want[parts[2]] = parts[0] + " " + parts[1]
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			return nil, nil, fmt.Errorf("%s is in the manifest but not in the archive", name)
		case g != w:
			return nil, nil, fmt.Errorf("%s is damaged: the manifest says sha256 and size %s, the archive holds %s", name, w, g)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			return nil, nil, fmt.Errorf("%s is in the archive but not in its manifest", name)
		}
	}
	if _, ok := got[LedgerFile]; !ok {
		return nil, nil, fmt.Errorf("the archive holds no %s", LedgerFile)
	}
	for _, d := range []string{blobDir, filepath.Join(blobDir, "tmp")} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, nil, err
		}
	}
	return head, st, nil
}

// allowedEntry accepts the names an archive may hold: the ledger, blobs,
// and files under the folders its header names. Nothing absolute, no "..".
func allowedEntry(name string, folders []string) error {
	if !fs.ValidPath(name) || strings.Contains(name, "\\") {
		return fmt.Errorf("entry %q is not a plain relative path", name)
	}
	if name == LedgerFile || isBlobPath(name) {
		return nil
	}
	if slices.ContainsFunc(folders, func(f string) bool { return fs.ValidPath(f) && strings.HasPrefix(name, f+"/") }) {
		return nil
	}
	return fmt.Errorf("entry %q is not part of a workspace", name)
}

func extract(r io.Reader, dst string, size int64) (string, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", err
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	var h hash.Hash = sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != size {
		err = fmt.Errorf("%d bytes, the header says %d", n, size)
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

// checkLedger opens a restored ledger read-only and checks every page.
func checkLedger(file string) error {
	db, err := bolt.Open(file, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("the restored ledger does not open: %w", err)
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() { // read to the end: the check runs until it has said all
			if first == nil {
				first = fmt.Errorf("the restored ledger is damaged: %w", err)
			}
		}
		if first != nil {
			return first
		}
		if v := schemaVersion(tx); v > SchemaVersion {
			return &SchemaError{File: file, Version: v}
		}
		return nil
	})
}

// outside refuses a destination inside the workspace: the live ledger,
// the blob folder, anything a later backup would copy into itself.
func (w *Workspace) outside(dst string) error {
	ws, err := realPath(w.Dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	d, err := realPath(dst)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if r, err := filepath.Rel(ws, d); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return fmt.Errorf("backup to %s: %w (%s); write it to another folder, ideally another disk", dst, ErrInsideWorkspace, w.Dir)
	}
	return nil
}

// realPath is p made absolute with symbolic links resolved, for a file
// that may not exist yet (its folder is resolved then).
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// writeAtomically writes a file through a temporary one beside it, synced
// and renamed into place, so that the destination is whole or untouched.
func writeAtomically(dst string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

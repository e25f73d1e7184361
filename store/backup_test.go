package store

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fill gives a workspace organisations, events, records (compressed and
// not), blobs and files in an acts folder.
func fill(t *testing.T, ws *Workspace, n int) {
	t.Helper()
	for i := range n {
		id := fmt.Sprintf("38010%05d", i)
		if _, err := ws.UpsertOrg("test", Org{ID: id, Name: fmt.Sprintf("Школа № %d", i), Type: School, PortalSite: "s"}); err != nil {
			t.Fatal(err)
		}
		if err := ws.Advance(id, StageMap, "test", "разметка"); err != nil {
			t.Fatal(err)
		}
		if _, err := ws.Blobs.PutBytes([]byte(fmt.Sprintf("файл %d %s", i, strings.Repeat("x", i)))); err != nil {
			t.Fatal(err)
		}
		// A plan large enough to be stored compressed, and a small one.
		if err := ws.Put("plans", id, "plan", map[string]any{"n": i, "text": strings.Repeat("Сведения об образовательной организации ", 20+i)}); err != nil {
			t.Fatal(err)
		}
		if err := ws.Put("plans", id, "small", map[string]int{"n": i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.Blobs.Flush(); err != nil {
		t.Fatal(err)
	}
	acts := filepath.Join(ws.Dir, "acts")
	os.MkdirAll(acts, 0o755)
	for i, name := range []string{"38-0001-3801000000-v1.pdf", "38-0001-3801000000-v1.manifest.txt", "38-0001-3801000000-v1-signed.pdf"} {
		if err := os.WriteFile(filepath.Join(acts, name), bytes.Repeat([]byte{byte(i)}, 3000+i), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(acts, "38-0002.pdf.tmp"), []byte("half an act"), 0o644) // being written
}

// snapshot is what a workspace holds, for comparing two of them.
type snapshot struct {
	orgs, events, records string
	files                 map[string]string // blobs and acts, by path
}

func take(t *testing.T, ws *Workspace) snapshot {
	t.Helper()
	var s snapshot
	orgs, err := ws.Orgs()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		s.orgs += fmt.Sprintf("%+v\n", *o)
		evs, _ := ws.Events(o.ID)
		for _, e := range evs {
			s.events += fmt.Sprintf("%+v\n", e)
		}
		ws.ForEach("plans", o.ID, func(k string, raw []byte) error { s.records += o.ID + k + string(raw) + "\n"; return nil })
	}
	s.files = map[string]string{}
	// Blobs by name and content, wherever they are kept (packed or files).
	for _, e := range ws.Blobs.pack.entries() {
		data, err := ws.Blobs.Read(e.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.files[filepath.Join("blobs", e.ID.String()[:2], e.ID.String())] = string(data)
	}
	for _, dir := range []string{"blobs", "acts"} {
		filepath.WalkDir(filepath.Join(ws.Dir, dir), func(p string, d fs.DirEntry, err error) error {
			rel, _ := filepath.Rel(ws.Dir, p)
			if dir == "blobs" && !isBlobPath(filepath.ToSlash(rel)) {
				return nil
			}
			if err == nil && d.Type().IsRegular() && !strings.HasSuffix(p, ".tmp") {
				data, _ := os.ReadFile(p)
				s.files[rel] = string(data)
			}
			return nil
		})
	}
	return s
}

// A backup restores: the same organisations, events, records, blobs and
// act files, byte for byte (issue 16 item 8).
func TestArchiveRestoresTheWorkspace(t *testing.T) {
	ws := TestStore(t)
	fill(t, ws, 30)
	want := take(t, ws)
	out := filepath.Join(t.TempDir(), "backup.tar")
	st, err := ws.Archive(t.Context(), out, []string{"acts"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Blobs != 30 || st.Files != 3 || st.LedgerBytes == 0 || len(st.Damaged) != 0 {
		t.Fatalf("archive stats %+v", st)
	}
	if fi, _ := os.Stat(out); fi.Size() != st.Bytes || fi.Mode().Perm() != 0o600 {
		t.Fatalf("archive file %d bytes, mode %v; stats say %d", fi.Size(), fi.Mode(), st.Bytes)
	}
	// Work goes on after the backup; the restore shows the workspace as it was.
	fill(t, ws, 35)

	dir := filepath.Join(t.TempDir(), "restored")
	head, rst, err := Restore(t.Context(), out, dir)
	if err != nil {
		t.Fatal(err)
	}
	if head.Workspace != ws.Dir || rst.Blobs != 30 || rst.Files != 3 {
		t.Fatalf("restored %+v from %+v", rst, head)
	}
	again, err := Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	got := take(t, again)
	if got.orgs != want.orgs || got.events != want.events || got.records != want.records {
		t.Fatalf("the restored ledger differs:\n%s\nwant\n%s", got.orgs+got.events, want.orgs+want.events)
	}
	if len(got.files) != len(want.files) {
		t.Fatalf("%d files restored, want %d", len(got.files), len(want.files))
	}
	for p, data := range want.files {
		if got.files[p] != data {
			t.Errorf("%s differs after the restore", p)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "acts", "38-0002.pdf.tmp")); err == nil {
		t.Error("a half-written file was archived")
	}
	// The restored workspace works: new blobs and events.
	if _, err := again.Blobs.PutBytes([]byte("после восстановления")); err != nil {
		t.Fatal(err)
	}
	if err := again.Advance("3801000000", StageReview, "test", ""); err != nil {
		t.Fatal(err)
	}
}

// The ledger in the archive is one transaction's view while other
// writers go on.
func TestArchiveWhileWriting(t *testing.T) {
	ws := TestStore(t)
	fill(t, ws, 5)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			id := fmt.Sprintf("39%08d", i)
			ws.UpsertOrg("writer", Org{ID: id, Name: "Школа", Type: School})
			ws.Blobs.PutBytes([]byte(id))
			ws.Blobs.Flush()
		}
	})
	out := filepath.Join(t.TempDir(), "backup.tar")
	var err error
	for range 3 {
		if _, err = ws.Archive(ctx, out, []string{"acts"}); err != nil {
			break
		}
	}
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if _, _, err := Restore(t.Context(), out, dir); err != nil {
		t.Fatal(err)
	}
	r, err := Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	orgs, _ := r.Orgs()
	for _, o := range orgs {
		if evs, _ := r.Events(o.ID); len(evs) == 0 {
			t.Fatalf("organisation %s has no events in the restored ledger", o.ID)
		}
	}
}

// Neither backup writes into the workspace it copies: not over the live
// ledger, not anywhere inside (issue 16 item 8).
func TestBackupRefusesADestinationInsideTheWorkspace(t *testing.T) {
	ws := TestStore(t)
	fill(t, ws, 2)
	before, _ := os.ReadFile(filepath.Join(ws.Dir, LedgerFile))
	link := filepath.Join(t.TempDir(), "link")
	os.Symlink(ws.Dir, link)
	for _, dst := range []string{filepath.Join(ws.Dir, LedgerFile), filepath.Join(ws.Dir, "copy.db"), filepath.Join(ws.Dir, "acts", "b.db"), filepath.Join(link, LedgerFile), ws.Dir} {
		if _, err := ws.Backup(dst); !errors.Is(err, ErrInsideWorkspace) {
			t.Errorf("Backup(%s): %v", dst, err)
		}
		if _, err := ws.Archive(t.Context(), dst, nil); !errors.Is(err, ErrInsideWorkspace) {
			t.Errorf("Archive(%s): %v", dst, err)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(ws.Dir, LedgerFile)); !bytes.Equal(before, after) {
		t.Fatal("the live ledger changed")
	}
	if orgs, err := ws.Orgs(); err != nil || len(orgs) != 2 {
		t.Fatalf("the workspace after the refused backups: %v %v", orgs, err)
	}
	out := filepath.Join(t.TempDir(), "ledger.db")
	if n, err := ws.Backup(out); err != nil || n == 0 {
		t.Fatalf("a ledger copy outside the workspace: %d %v", n, err)
	}
	if err := checkLedger(out); err != nil {
		t.Fatal(err)
	}
}

// A restore goes into an empty folder only, and an archive that is not
// whole, not ours, or reaches outside its folder is refused, leaving
// nothing behind.
func TestRestoreRefuses(t *testing.T) {
	ws := TestStore(t)
	fill(t, ws, 3)
	good := filepath.Join(t.TempDir(), "backup.tar")
	if _, err := ws.Archive(t.Context(), good, []string{"acts"}); err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "notes.txt"), []byte("x"), 0o644)
	if _, _, err := Restore(t.Context(), good, full); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into a folder with files: %v", err)
	}
	data, _ := os.ReadFile(good)
	entries := readTar(t, data)
	rewrite := func(edit func([]tarEntry) []tarEntry) string {
		p := filepath.Join(t.TempDir(), "bad.tar")
		os.WriteFile(p, writeTar(t, edit(append([]tarEntry(nil), entries...))), 0o644)
		return p
	}
	cases := map[string]struct {
		archive string
		want    string
	}{
		"cut short": {good + ".cut", "cut short"},
		"a blob changed": {rewrite(func(es []tarEntry) []tarEntry {
			for i := range es {
				if strings.HasPrefix(es[i].name, "blobs/") {
					es[i].data = append([]byte("x"), es[i].data[1:]...)
					break
				}
			}
			return es
		}), "damaged"},
		"a file outside the workspace": {rewrite(func(es []tarEntry) []tarEntry {
			return append(es[:1], append([]tarEntry{{name: "../../etc/cron.d/x", data: []byte("* * * * * root true")}}, es[1:]...)...)
		}), "not a plain relative path"},
		"an absolute path": {rewrite(func(es []tarEntry) []tarEntry {
			return append(es[:1], append([]tarEntry{{name: "/tmp/x", data: []byte("x")}}, es[1:]...)...)
		}), "not a plain relative path"},
		"a stray file": {rewrite(func(es []tarEntry) []tarEntry {
			return append(es[:1], append([]tarEntry{{name: "portal/data.db", data: []byte("x")}}, es[1:]...)...)
		}), "not part of a workspace"},
		"a symbolic link": {rewrite(func(es []tarEntry) []tarEntry {
			return append(es[:1], append([]tarEntry{{name: "acts/x", link: "/etc/passwd"}}, es[1:]...)...)
		}), "not a regular file"},
		"not a backup": {rewrite(func(es []tarEntry) []tarEntry { return es[1:] }), "not a perenos backup"},
	}
	os.WriteFile(good+".cut", data[:len(data)/2], 0o644)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "restored")
			_, _, err := Restore(t.Context(), c.archive, dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error with %q, got %v", c.want, err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("a refused restore left %s behind", dir)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".restored.restoring-*")); len(left) > 0 {
				t.Fatalf("a refused restore left %v", left)
			}
		})
	}
}

type tarEntry struct {
	name, link string
	data       []byte
}

func readTar(t *testing.T, data []byte) []tarEntry {
	t.Helper()
	var out []tarEntry
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out = append(out, tarEntry{name: h.Name, data: b})
	}
}

func writeTar(t *testing.T, es []tarEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: 0o600, Size: int64(len(e.data)), Typeflag: tar.TypeReg}
		if e.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.data)
	}
	tw.Close()
	return b.Bytes()
}

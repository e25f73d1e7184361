package store

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// mappedKB is how much of the ledger file at path the process has
// resident through its mappings (/proc/self/smaps), in KiB.
func mappedKB(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in, kb := false, 0
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !strings.HasSuffix(fields[0], ":") || strings.Contains(fields[0], "-") {
			// a mapping's first line: address range, perms, offset, dev, inode, path
			in = len(fields) >= 6 && fields[len(fields)-1] == path
			continue
		}
		if in && fields[0] == "Rss:" {
			n, _ := strconv.Atoi(fields[1])
			kb += n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return kb
}

// bulkNotes stores n records of incompressible text, about size bytes
// each, and returns them by key.
func bulkNotes(t *testing.T, ws *Workspace, org string, n, size int) map[string]string {
	t.Helper()
	want := map[string]string{}
	raw := make([]byte, size*3/4)
	err := ws.Update(func(tx Tx) error {
		for i := range n {
			rand.Read(raw)
			k := fmt.Sprintf("k%05d", i)
			want[k] = base64.StdEncoding.EncodeToString(raw)
			if err := notes.Put(tx, org, k, &note{Text: want[k], N: i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func readNotes(ws *Workspace, org string, want map[string]string) error {
	seen := 0
	err := notes.Each(ws, org, func(k string, v *note) error {
		if v.Text != want[k] {
			return fmt.Errorf("record %s read back different", k)
		}
		seen++
		return nil
	})
	if err == nil && seen != len(want) {
		err = fmt.Errorf("read %d records of %d", seen, len(want))
	}
	return err
}

// The ledger's pages that a read mapped leave the process's resident
// memory when released, and read back the same afterwards.
func TestReleaseMappedDropsResidentPages(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(context.Background(), dir, Options{Command: "test", ReleaseEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	path, _ := filepath.Abs(filepath.Join(dir, LedgerFile))
	want := bulkNotes(t, ws, "o1", 400, 20<<10) // about 8 MB stored
	if err := ws.ReleaseMapped(); err != nil {
		t.Fatal(err)
	}
	if err := readNotes(ws, "o1", want); err != nil {
		t.Fatal(err)
	}
	before := mappedKB(t, path)
	if before < 4<<10 {
		t.Fatalf("reading 8 MB of records left %d KiB of the ledger resident: the test does not measure what it should", before)
	}
	if err := ws.ReleaseMapped(); err != nil {
		t.Fatal(err)
	}
	if after := mappedKB(t, path); after > 256 {
		t.Errorf("after ReleaseMapped %d KiB of the ledger are resident (%d before), want at most 256", after, before)
	}
	if err := readNotes(ws, "o1", want); err != nil {
		t.Errorf("after ReleaseMapped: %v", err)
	}
}

// Releasing the mapping while readers read and a writer grows the file
// (bbolt remaps it as it grows) loses nothing and races with nothing (go
// test -race).
func TestReleaseMappedUnderConcurrency(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(context.Background(), dir, Options{Command: "test", ReleaseEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	want := bulkNotes(t, ws, "o1", 100, 8<<10)
	st, err := os.Stat(filepath.Join(dir, LedgerFile))
	if err != nil {
		t.Fatal(err)
	}
	start := st.Size()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := readNotes(ws, "o1", want); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := ws.ReleaseMapped(); err != nil {
				errs <- err
				return
			}
		}
	})
	// the writer grows the file past several remaps (bbolt doubles the
	// mapping from 32 KiB up)
	var grown map[string]string
	for i := range 6 {
		grown = bulkNotes(t, ws, "o"+strconv.Itoa(i+2), 200, 16<<10)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := readNotes(ws, "o7", grown); err != nil {
		t.Error(err)
	}
	// the mapping must cover the file, so a file grown fourfold was
	// remapped at least once while the readers and releases ran
	if st, err := os.Stat(filepath.Join(dir, LedgerFile)); err != nil || st.Size() < 4*start {
		t.Errorf("the ledger grew from %d bytes to %v (%v): not enough to make bbolt remap", start, st.Size(), err)
	}
}

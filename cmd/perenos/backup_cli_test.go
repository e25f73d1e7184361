package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"perenos/store"
)

// filesUnder reads every regular file under dir, by path relative to root.
func filesUnder(t *testing.T, root, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			out[rel] = string(data)
		}
		return nil
	})
	return out
}

// blobsUnder reads the blobs of a workspace's blob folder, packed or
// files, by ID.
func blobsUnder(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if err := store.ListBlobs(filepath.Join(root, "blobs"), func(id store.BlobID, data []byte) error {
		out[id.String()] = string(data)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Issue 16 item 8: backup took the live ledger as its own destination and
// copied the ledger only. backup FILE.tar archives the whole workspace
// while perenos serve holds it, refuses a destination inside the
// workspace, and restore brings it back into an empty folder: the same
// organisations, events, acts, blobs and act files, byte for byte.
func TestBackupWhileServingRestoresTheWorkspace(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, _, _ := verifiedSite(t)
	const org = "3801012345"
	if _, stderr, code := perenosCLI(t, home, "act", "issue", org, "--tz", "Asia/Irkutsk"); code != ExitOK {
		t.Fatalf("act issue: %s", stderr)
	}
	acts, _ := filepath.Glob(filepath.Join(home, "acts", "*.pdf"))
	irkutsk, _ := time.LoadLocation("Asia/Irkutsk")
	if _, stderr, code := perenosCLI(t, home, "act", "sign", org, "--signed-by", "Иванова И. И.", "--date", time.Now().In(irkutsk).Format("2006-01-02"), "--scan", acts[0]); code != ExitOK {
		t.Fatalf("act sign: %s", stderr)
	}
	startServe(t, home)

	ledger := filepath.Join(home, "ledger.db")
	for _, dst := range []string{ledger, filepath.Join(home, "acts", "backup.tar")} {
		if _, stderr, code := perenosCLI(t, home, "backup", dst); code == ExitOK || !strings.Contains(stderr, "inside the workspace") {
			t.Errorf("backup to %s inside the workspace: exit %d %s", dst, code, stderr)
		}
	}
	out := filepath.Join(t.TempDir(), "workspace.tar")
	o, stderr, code := perenosCLI(t, home, "backup", out)
	if code != ExitOK || !strings.Contains(stderr, "held by perenos serve") || !strings.Contains(o, "blobs") {
		t.Fatalf("backup FILE.tar while serve runs: exit %d\n%s\n%s", code, o, stderr)
	}
	if _, stderr, code := perenosCLI(t, t.TempDir(), "restore", out, "--home", home); code == ExitOK || !strings.Contains(stderr, "not empty") {
		t.Errorf("restore over the workspace in use: exit %d %s", code, stderr)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if o, stderr, code := perenosCLI(t, restored, "restore", out); code != ExitOK {
		t.Fatalf("restore: exit %d\n%s\n%s", code, o, stderr)
	}
	for _, args := range [][]string{{"orgs", "list", "--json"}, {"events", org, "--json"}, {"act", "show", org, "--json"}, {"orgs", "show", org}} {
		want, _, code := perenosCLI(t, home, args...)
		got, stderr, code2 := perenosCLI(t, restored, args...)
		if code != ExitOK || code2 != ExitOK || got != want {
			t.Errorf("%v differs after the restore (exit %d):\n%s\nwant\n%s", args, code2, got+stderr, want)
		}
	}
	for _, dir := range []string{"blobs", "acts"} {
		want, got := filesUnder(t, home, dir), filesUnder(t, restored, dir)
		if dir == "blobs" { // by ID and bytes: packed ones are restored as files
			want, got = blobsUnder(t, home), blobsUnder(t, restored)
		}
		if len(want) == 0 || len(got) != len(want) {
			t.Errorf("%s: %d files restored, the workspace has %d", dir, len(got), len(want))
		}
		for p, data := range want {
			if got[p] != data {
				t.Errorf("%s differs after the restore", p)
			}
		}
	}
	if scans, _ := filepath.Glob(filepath.Join(restored, "acts", "*-signed.pdf")); len(scans) != 1 {
		t.Errorf("the signed scan is not in the restored workspace: %v", scans)
	}
	// The ledger alone, as before.
	db := filepath.Join(t.TempDir(), "ledger-copy.db")
	if o, stderr, code := perenosCLI(t, home, "backup", db); code != ExitOK || !strings.Contains(o, "ledger copied") {
		t.Errorf("backup FILE.db: %d %s %s", code, o, stderr)
	}
}

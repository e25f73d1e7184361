package server_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"perenos/portal"
	"perenos/portal/server"
)

// portalIn starts a reference portal whose storage is in dir, for tests
// that look at what it leaves on disk.
func portalIn(t *testing.T, dir string, cfg server.Config, sites ...string) *httptest.Server {
	t.Helper()
	cfg.DataFile = filepath.Join(dir, "portal.db")
	cfg.Tokens = map[string]string{}
	for _, s := range sites {
		cfg.Tokens[s] = server.TestToken(s)
	}
	srv, err := server.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return hs
}

func shaOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// bundleOf zips a manifest for site with the given file entries (name in
// the manifest → bytes in the zip, with the size the manifest claims) and
// objects, deflating everything.
type bundleFile struct {
	sha  string
	data []byte
	size int64
}

func bundleOf(t *testing.T, site string, files []bundleFile, objects map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	m := portal.Manifest{Version: portal.BundleVersion, Site: site, Objects: []portal.ManifestObject{}, Files: []portal.ManifestFile{}}
	for _, f := range files {
		w, err := zw.Create(portal.BundleFilePath(f.sha))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
		m.Files = append(m.Files, portal.ManifestFile{SHA256: f.sha, Size: f.size})
	}
	for id, body := range objects {
		kind, key, _ := strings.Cut(id, "/")
		w, _ := zw.Create(portal.ObjectPath(portal.Kind(kind), key))
		w.Write([]byte(body))
		m.Objects = append(m.Objects, portal.ManifestObject{Kind: portal.Kind(kind), Key: key})
	}
	w, _ := zw.Create("manifest.json")
	json.NewEncoder(w).Encode(m)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// filesOnDisk lists the regular files under the portal's file folder.
func filesOnDisk(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, "files"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return out
}

// TestBundleCannotClaimAnotherSitesFile is issue 15 item 5: a bundle
// naming another site's file with a 1-byte placeholder must not attach
// that file to the second site, nor let it read the first site's bytes.
func TestBundleCannotClaimAnotherSitesFile(t *testing.T) {
	dir := t.TempDir()
	hs := portalIn(t, dir, server.Config{}, "victim", "thief")
	secret := bytes.Repeat([]byte("приказ о зачислении, персональные данные; "), 5_000_000/len("приказ о зачислении, персональные данные; ")+1)[:5_000_000]
	sha := shaOf(secret)
	if resp, body := call(t, hs.URL, "PUT", "/api/v1/sites/victim/files/"+sha, server.TestToken("victim"), "application/octet-stream", secret); resp.StatusCode != 201 {
		t.Fatalf("the victim's upload: %d %s", resp.StatusCode, body)
	}
	b := bundleOf(t, "thief", []bundleFile{{sha: sha, data: []byte("x"), size: 1}}, nil)
	resp, body := call(t, hs.URL, "POST", "/api/v1/sites/thief/bundle", server.TestToken("thief"), "application/zip", b)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a bundle whose file bytes do not hash to its name: %d %s, want 422", resp.StatusCode, body)
	}
	for _, path := range []string{"/api/v1/sites/thief/files/" + sha} {
		if resp, body := call(t, hs.URL, "GET", path, server.TestToken("thief"), "", nil); resp.StatusCode != 404 {
			t.Errorf("GET %s with the thief's token: %d, %d bytes; want 404", path, resp.StatusCode, len(body))
		}
	}
	if resp, body := call(t, hs.URL, "GET", "/sites/thief/files/"+sha+"/prikaz.pdf", "", "", nil); resp.StatusCode != 404 {
		t.Errorf("the victim's file is public under the thief's site: %d, %d bytes", resp.StatusCode, len(body))
	}
	// A PUT with the wrong bytes is refused the same way.
	if resp, _ := call(t, hs.URL, "PUT", "/api/v1/sites/thief/files/"+sha, server.TestToken("thief"), "application/octet-stream", []byte("x")); resp.StatusCode != 422 {
		t.Errorf("a PUT of other bytes under the victim's hash: %d, want 422", resp.StatusCode)
	}
	// The thief can attach the file only by sending its bytes.
	if resp, _ := call(t, hs.URL, "PUT", "/api/v1/sites/thief/files/"+sha, server.TestToken("thief"), "application/octet-stream", secret); resp.StatusCode != 201 {
		t.Errorf("sending the real bytes: %d, want 201", resp.StatusCode)
	}
}

// zeros makes n compressible bytes that differ by their first line.
func zeros(i, n int) []byte {
	b := make([]byte, n)
	copy(b, fmt.Sprintf("file %d\n", i))
	return b
}

// TestBundleCappedAsAWhole: a small bundle that unpacks to far more than
// the portal's limits is refused and writes nothing.
func TestBundleCappedAsAWhole(t *testing.T) {
	dir := t.TempDir()
	const perFile = 1 << 20
	hs := portalIn(t, dir, server.Config{MaxFileSize: perFile}, "sh1")
	var files []bundleFile
	for i := range 20 {
		data := zeros(i, perFile)
		files = append(files, bundleFile{sha: shaOf(data), data: data, size: perFile})
	}
	b := bundleOf(t, "sh1", files, nil)
	if len(b) > 200<<10 {
		t.Fatalf("the test bundle is %d bytes; it should be small", len(b))
	}
	resp, body := call(t, hs.URL, "POST", "/api/v1/sites/sh1/bundle", server.TestToken("sh1"), "application/zip", b)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte bundle unpacking to %d bytes: %d %s, want 413", len(b), 20*perFile, resp.StatusCode, body)
	}
	if left := filesOnDisk(t, dir); len(left) > 0 {
		t.Errorf("the refused bundle left %d files on disk: %v", len(left), left[:min(3, len(left))])
	}
}

// TestRefusedBundleLeavesNothingOnDisk: a bundle refused for a bad
// reference or a bad file keeps no file it carried.
func TestRefusedBundleLeavesNothingOnDisk(t *testing.T) {
	good := []byte("%PDF-1.4 устав")
	for _, c := range []struct {
		name    string
		files   []bundleFile
		objects map[string]string
	}{
		{"dangling reference", []bundleFile{{shaOf(good), good, int64(len(good))}},
			map[string]string{"pages/p1": `{"section":"nope","title":"Страница","body":"","order":0}`}},
		{"a second file with wrong bytes", []bundleFile{{shaOf(good), good, int64(len(good))}, {shaOf([]byte("b")), []byte("c"), 1}}, nil},
		{"a size that is not the manifest's", []bundleFile{{shaOf(good), good, 3}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			hs := portalIn(t, dir, server.Config{}, "sh1")
			resp, body := call(t, hs.URL, "POST", "/api/v1/sites/sh1/bundle", server.TestToken("sh1"), "application/zip", bundleOf(t, "sh1", c.files, c.objects))
			if resp.StatusCode != 422 {
				t.Errorf("%d %s, want 422", resp.StatusCode, body)
			}
			if left := filesOnDisk(t, dir); len(left) > 0 {
				t.Errorf("the refused bundle left files on disk: %v", left)
			}
			if resp, _ := call(t, hs.URL, "GET", "/api/v1/sites/sh1/files/"+shaOf(good), server.TestToken("sh1"), "", nil); resp.StatusCode != 404 {
				t.Errorf("a file of a refused bundle is attached: %d", resp.StatusCode)
			}
		})
	}
}

// TestConcurrentPutsOfOneNewFileAnswer201Once: many PUTs of one new file
// at once create it once.
func TestConcurrentPutsOfOneNewFileAnswer201Once(t *testing.T) {
	for round := range 5 {
		hs := portalIn(t, t.TempDir(), server.Config{}, "sh1")
		data := zeros(round, 256<<10)
		sha := shaOf(data)
		const n = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				req, _ := http.NewRequest("PUT", hs.URL+"/api/v1/sites/sh1/files/"+sha, bytes.NewReader(data))
				req.Header.Set("Authorization", "Bearer "+server.TestToken("sh1"))
				req.Header.Set("Content-Type", "application/octet-stream")
				<-start
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		if codes[201] != 1 || codes[200] != n-1 {
			t.Fatalf("round %d: %d concurrent PUTs of one new file answered %v; want one 201 and the rest 200", round, n, codes)
		}
	}
}

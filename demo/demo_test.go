package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"perenos"
	"perenos/mapping"
	"perenos/portal"
	"perenos/portal/server"
	"perenos/store"
	"perenos/uploader"
)

// TestDemoEndToEnd runs the whole pipeline on the bundled demo region
// against the reference portal, then opens the portal's storage and checks
// what arrived there.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run skipped in -short mode")
	}
	ctx := context.Background()
	ws := store.TestStore(t)
	sum, err := Run(ctx, ws, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Sites) != len(Region) {
		t.Fatalf("%d sites in the summary, want %d", len(sum.Sites), len(Region))
	}
	for _, s := range sum.Sites {
		st, err := store.ParseState(s.State)
		if err != nil || st.Rank() < store.Verified.Rank() {
			t.Errorf("site %s ended %s (%s), want verified or later", s.ID, s.State, s.Error)
		}
	}
	if sum.NothingNew {
		t.Error("a first run cannot find everything already uploaded")
	}

	school := Region[0].Org
	plan, err := mapping.LoadPlan(ws, school.ID)
	if err != nil {
		t.Fatal(err)
	}
	paid := plan.Section("sveden/paid_edu")
	if paid == nil || len(paid.Items) == 0 || !strings.HasSuffix(paid.Items[0].SourceURL, "/sveden/paid_edu.html") {
		t.Fatalf("the school's «Платные образовательные услуги» page did not land in sveden/paid_edu: %+v", paid)
	}
	if doc := plan.Section("sveden/document"); doc == nil || !hasItem(doc.Items, "/files/ustav.pdf") {
		t.Errorf("the school's charter did not land in sveden/document")
	}

	// Open the portal's own storage, as a person looking at the result would.
	tokens, err := uploader.LoadTokens(filepath.Join(ws.Dir, "portal", "tokens.csv"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewServer(server.Config{DataFile: filepath.Join(ws.Dir, "portal", "portal.db"), Tokens: tokens})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	client := uploader.NewClient(hs.URL, tokens, uploader.ClientOptions{})

	key := uploader.ItemKey(school.ID, portal.KindPage, paid.Items[0].Key)
	obj, err := client.Get(ctx, school.PortalSite, portal.KindPage, key)
	if err != nil {
		t.Fatal(err)
	}
	page, ok := obj.(*portal.Page)
	if !ok {
		t.Fatalf("a page came back as %T", obj)
	}
	// windows-1251 text must arrive intact, typographic quotes and dashes included.
	want := "Стоимость занятий в кружке „Юный программист“ — 1 200 рублей в месяц."
	if !strings.Contains(page.Body, want) || page.Title != "Платные образовательные услуги" {
		t.Errorf("the paid-services page on the portal lost its windows-1251 text:\ntitle %q\n%s", page.Title, page.Body)
	}

	// Every attachment of every demo site is on the portal byte for byte.
	files := 0
	for _, site := range Region {
		if site.Dir == "" {
			continue
		}
		root := "testdata/sites/" + site.Dir
		err := fs.WalkDir(perenos.DemoSites, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch strings.ToLower(filepath.Ext(p)) {
			case ".pdf", ".doc", ".docx", ".xls", ".xlsx":
			default:
				return nil
			}
			orig, err := fs.ReadFile(perenos.DemoSites, p)
			if err != nil {
				return err
			}
			s := sha256.Sum256(orig)
			rc, err := client.GetFile(ctx, site.Org.PortalSite, hex.EncodeToString(s[:]))
			if err != nil {
				t.Errorf("%s is not on the portal: %v", p, err)
				return nil
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, orig) {
				t.Errorf("%s differs on the portal", p)
			}
			files++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 4 {
		t.Errorf("only %d attachments checked; the demo sites hold more", files)
	}
	hs.Close()
	srv.Close()

	// A second run over the same workspace uploads nothing new.
	again, err := Run(ctx, ws, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !again.NothingNew {
		for _, s := range again.Sites {
			t.Logf("%s: %+v %+v %s", s.ID, s.Upload, s.UploadSkip, s.UploadError)
		}
		t.Error("the second run uploaded something")
	}
}

func hasItem(items []mapping.Item, suffix string) bool {
	for _, it := range items {
		if strings.HasSuffix(it.SourceURL, suffix) {
			return true
		}
	}
	return false
}

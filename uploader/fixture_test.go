package uploader_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"perenos/mapping"
	"perenos/pipeline"
	"perenos/portal/server"
	"perenos/store"
	"perenos/uploader"
)

// siteFixture is an approved site in a workspace, ready to upload.
type siteFixture struct {
	ws   *store.Workspace
	org  *store.Org
	plan *mapping.Plan
}

const fixtureSite = "sch7"

// approvedSite stores plan for a school with no legacy crawl and moves it
// to approved. Documents' files go into the blob store.
func approvedSite(t *testing.T, plan *mapping.Plan, files map[string][]byte) *siteFixture {
	t.Helper()
	ws := store.TestStore(t)
	org := store.Org{ID: plan.Org, Name: "МБОУ «СОШ № 7»", Type: store.School, PortalSite: fixtureSite}
	if _, err := ws.UpsertOrg("test", org); err != nil {
		t.Fatal(err)
	}
	for _, data := range files {
		if _, err := ws.Blobs.PutBytes(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := ws.Update(mapping.SavePlan(plan)); err != nil {
		t.Fatal(err)
	}
	for _, st := range []store.Stage{store.StageMap, store.StageReview, store.StageApprove} {
		if err := ws.Advance(org.ID, st, "test", ""); err != nil {
			t.Fatal(err)
		}
	}
	o, err := ws.Org(org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &siteFixture{ws: ws, org: o, plan: plan}
}

// state is the site's state now.
func (f *siteFixture) state(t *testing.T) store.State {
	t.Helper()
	o, err := f.ws.Org(f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o.State
}

// run runs steps on the site through the pipeline's runner.
func (f *siteFixture) run(t *testing.T, steps ...pipeline.Step) pipeline.Outcome {
	t.Helper()
	r := &pipeline.Runner{WS: f.ws, Actor: "test"}
	orgs, err := pipeline.Select(f.ws, pipeline.Selector{IDs: []string{f.org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return r.Run(context.Background(), orgs, steps...).Outcomes[0]
}

var quickRetry = uploader.RetryOptions{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// refPortal is a reference portal with its storage in dir, so that it can
// be stopped and started again on another port.
type refPortal struct {
	t      *testing.T
	dir    string
	tokens map[string]string
	srv    *server.Server
	hs     *httptest.Server
}

// startPortal starts a portal in dir for the fixture's site and the other
// sites named.
func startPortal(t *testing.T, dir string, sites ...string) *refPortal {
	t.Helper()
	p := &refPortal{t: t, dir: dir, tokens: map[string]string{}}
	for _, s := range append([]string{fixtureSite}, sites...) {
		p.tokens[s] = server.TestToken(s)
	}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *refPortal) start() {
	hs := httptest.NewUnstartedServer(nil)
	srv, err := server.NewServer(server.Config{DataFile: filepath.Join(p.dir, "portal.db"), BaseURL: "http://" + hs.Listener.Addr().String(),
		Tokens: p.tokens})
	if err != nil {
		p.t.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	p.srv, p.hs = srv, hs
}

func (p *refPortal) stop() {
	if p.hs != nil {
		p.hs.Close()
		p.srv.Close()
		p.hs = nil
	}
}

// restart stops the portal and starts it on a new port, same storage.
func (p *refPortal) restart() {
	p.stop()
	p.start()
}

func (p *refPortal) target() uploader.Target {
	return uploader.NewPortal(p.hs.URL, p.tokens, uploader.PortalOptions{Retry: quickRetry})
}

func (p *refPortal) portal() uploader.Portal { return uploader.Portal{Target: p.target()} }

func (p *refPortal) client() *uploader.Client {
	return uploader.NewClient(p.hs.URL, p.tokens, uploader.ClientOptions{})
}

// counts is what the portal holds of the fixture site.
func (p *refPortal) counts() (objects, files int) {
	objects, files, _, err := p.srv.Counts(fixtureSite)
	if err != nil {
		p.t.Fatal(err)
	}
	return objects, files
}

package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"perenos/crawler"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/portal/server"
	"perenos/store"
	"perenos/uploader"
)

// Options tune a demo run.
type Options struct {
	Log      *slog.Logger
	Progress pipeline.Progress
	Actor    string
}

// SiteSummary is one demo site at the end of the run.
type SiteSummary struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	State       string         `json:"state"`
	Pages       int64          `json:"pages"`
	Attachments int64          `json:"attachments"`
	Sections    map[string]int `json:"sections"`
	Gaps        []string       `json:"gaps"`
	// Upload is what this run's upload did (nil when it did not run).
	Upload      *pipeline.UploadSummary `json:"upload,omitempty"`
	UploadSkip  *pipeline.Skip          `json:"upload_skipped,omitempty"`
	UploadError string                  `json:"upload_error,omitempty"`
	PortalURL   string                  `json:"portal_url"`
	Error       string                  `json:"error,omitempty"`
}

// Summary is the demo's result.
type Summary struct {
	Sites      []SiteSummary `json:"sites"`
	PortalURL  string        `json:"portal_url"`
	NothingNew bool          `json:"nothing_new"` // every site was already on the portal as planned
	Books      *Books        `json:"books"`       // the acts issued and the coordinator report
}

// Run runs the whole pipeline on the demo region in the open workspace.
// The reference portal keeps its data inside the workspace, so a second
// run finds everything in place and uploads nothing.
func Run(ctx context.Context, ws *store.Workspace, opt Options) (*Summary, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Actor == "" {
		opt.Actor = "demo"
	}
	sites, err := Serve()
	if err != nil {
		return nil, err
	}
	defer sites.Close()

	orgs := make([]store.Org, 0, len(Region))
	for _, s := range Region {
		orgs = append(orgs, s.Org)
	}
	tokens, err := portalTokens(filepath.Join(ws.Dir, "portal"), orgs)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("reference portal: %w", err)
	}
	base := "http://" + ln.Addr().String()
	srv, err := server.NewServer(server.Config{DataFile: filepath.Join(ws.Dir, "portal", "portal.db"), Tokens: tokens, BaseURL: base})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("reference portal: %w", err)
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()

	for _, o := range orgs {
		if _, err := ws.UpsertOrg(opt.Actor, o); err != nil {
			return nil, err
		}
	}
	profiles, err := mapping.LoadProfiles("")
	if err != nil {
		return nil, err
	}
	r := &pipeline.Runner{WS: ws, Actor: opt.Actor, Log: opt.Log, SitesParallel: 4, Progress: opt.Progress}
	all, err := pipeline.Select(ws, pipeline.Selector{IDs: ids(orgs)})
	if err != nil {
		return nil, err
	}
	refresh := func() []*store.Org {
		all, _ = pipeline.Select(ws, pipeline.Selector{IDs: ids(orgs)})
		return all
	}
	crawl := pipeline.Crawl{Options: crawler.Options{Net: crawler.NetOptions{AllowPrivate: true, Resolve: sites.Resolve}, Delay: 10 * time.Millisecond, PerHost: 2}}
	p := uploader.Portal{Target: uploader.NewPortal(base, tokens, uploader.PortalOptions{})}
	steps := append(pipeline.RunSteps(crawl, pipeline.Map{Profiles: profiles}), pipeline.ApproveSteps(pipeline.Approval{Note: "автоматическое одобрение в демо", WithGaps: true, ExcludePersonal: true})...)
	steps = append(steps, pipeline.Upload{Portal: p}, pipeline.Verify{Portal: p})
	res := r.Run(ctx, all, steps...)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	books, err := issueActs(ctx, ws, refresh(), base, opt.Actor)
	if err != nil {
		return nil, err
	}
	sum, err := summarise(ws, refresh(), res, base)
	if sum != nil {
		sum.Books = books
	}
	return sum, err
}

func ids(orgs []store.Org) []string {
	out := make([]string, len(orgs))
	for i, o := range orgs {
		out[i] = o.ID
	}
	return out
}

// portalTokens loads or makes the reference portal's per-site tokens,
// kept owner-only in dir/tokens.csv.
func portalTokens(dir string, orgs []store.Org) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "tokens.csv")
	tokens := map[string]string{}
	if _, err := os.Stat(path); err == nil {
		t, err := uploader.LoadTokens(path)
		if err != nil {
			return nil, err
		}
		tokens = t
	}
	changed := false
	for _, o := range orgs {
		if tokens[o.PortalSite] == "" {
			b := make([]byte, 24)
			rand.Read(b)
			tokens[o.PortalSite] = hex.EncodeToString(b)
			changed = true
		}
	}
	if changed {
		var sb strings.Builder
		sb.WriteString("portal_site,token\n")
		keys := make([]string, 0, len(tokens))
		for k := range tokens {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sb.WriteString(k + "," + tokens[k] + "\n")
		}
		if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
			return nil, err
		}
	}
	return tokens, nil
}

func summarise(ws *store.Workspace, orgs []*store.Org, res *pipeline.Result, base string) (*Summary, error) {
	sum := &Summary{PortalURL: base, NothingNew: true}
	byOrg := map[string]pipeline.Outcome{}
	for _, o := range res.Outcomes {
		byOrg[o.Org] = o
	}
	for _, o := range orgs {
		s := SiteSummary{ID: o.ID, Name: o.Name, Type: string(o.Type), State: string(o.State), Pages: o.Stats.Pages, Attachments: o.Stats.Attachments,
			Sections: map[string]int{}, Gaps: []string{}, PortalURL: base + "/sites/" + o.PortalSite + "/", Error: o.Error}
		if plan, err := mapping.LoadPlan(ws, o.ID); err == nil {
			for _, sec := range plan.Sections {
				if len(sec.Items) > 0 {
					s.Sections[sec.ID] = len(sec.Items)
				}
			}
			for _, g := range plan.Gaps {
				if g.Item != "" {
					s.Gaps = append(s.Gaps, g.Section+": "+g.Item)
				} else {
					s.Gaps = append(s.Gaps, g.Section)
				}
			}
		}
		out := byOrg[o.ID]
		s.Upload = out.Upload
		if out.Stage == store.StageUpload || out.Stage == store.StageVerify {
			if out.Stage == store.StageUpload {
				s.UploadSkip, s.UploadError = out.Skip, out.Error
			}
		} else if out.Error != "" || out.Skip != nil {
			s.UploadError = "the site stopped before its upload"
		}
		if s.Upload == nil || s.Upload.Report == nil || s.Upload.Report.Changed() > 0 {
			sum.NothingNew = false
		}
		sum.Sites = append(sum.Sites, s)
	}
	return sum, nil
}

// Package realsites measures how perenos sorts real legacy sites: it
// serves each site of a gold-real corpus (copies of real public sites
// with hand labels) on loopback as the site's own server did, runs the
// pipeline on it as `perenos run` does, and scores the plan against the
// labels, for the whole corpus and separately for its tuning and
// held-out parts.
package realsites

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"perenos/crawler"
	"perenos/mapping"
	"perenos/realsites/recordscore"
	"perenos/store"
)

// Options are what the bench runs with.
type Options struct {
	Dir      string   // the gold-real folder
	Sites    []string // only these sites (default: all of the corpus)
	Profiles mapping.Profiles
	Map      mapping.Options
	Log      *slog.Logger
	// PlansDir, when set, receives each site's plan as SITE.json, for
	// reading what the scores count.
	PlansDir string
	// Workspace, when set, is the folder the pipeline runs in, kept
	// afterwards (it must not hold a workspace yet); by default a
	// temporary one is removed.
	Workspace string
	// Records, when set, are the hand labels of the records on chosen
	// pages (records.tsv): the bench then also scores the staff, contacts
	// and documents that reach the bundle from those pages.
	Records *recordscore.Gold
}

// Part is the score of some of the corpus's sites: the counts and rates,
// by organisation type and by site, and every miss.
type Part struct {
	Score
	PerType map[string]Score `json:"per_type"`
	PerSite map[string]Score `json:"per_site"`
	Misses  []Miss           `json:"misses"`
}

// Result is the bench's answer: the whole corpus, then its tuning and
// held-out parts.
type Result struct {
	Part
	Tuning  Part `json:"tuning"`
	Heldout Part `json:"heldout"`
	// Offsite counts connections the crawl tried to hosts outside the
	// corpus (refused before connecting). Not part of the JSON.
	Offsite int64 `json:"-"`
	// Records is the records score, when Options.Records was given.
	Records *recordscore.Report `json:"records,omitempty"`
}

func newPart() Part {
	return Part{PerType: map[string]Score{}, PerSite: map[string]Score{}, Misses: []Miss{}}
}

func (p *Part) add(site Site, sc Score, misses []Miss) {
	p.Score.add(sc)
	t := p.PerType[string(site.Type)]
	t.add(sc)
	p.PerType[string(site.Type)] = t
	p.PerSite[site.Name] = sc
	p.Misses = append(p.Misses, misses...)
}

// Bench serves the corpus's sites, runs the pipeline on them in a
// temporary workspace and scores the plans.
func Bench(ctx context.Context, opt Options) (*Result, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Profiles == nil {
		p, err := mapping.LoadProfiles("")
		if err != nil {
			return nil, err
		}
		opt.Profiles = p
	}
	corpus, err := LoadCorpus(opt.Dir, func(t store.OrgType, id string) bool {
		return opt.Profiles[t] != nil && opt.Profiles[t].Section(id) != nil
	})
	if err != nil {
		return nil, err
	}
	sites := corpus.Sites
	if len(opt.Sites) > 0 {
		sites = nil
		for _, name := range opt.Sites {
			i := slices.IndexFunc(corpus.Sites, func(s Site) bool { return s.Name == name })
			if i < 0 {
				return nil, fmt.Errorf("site %s is not in %s", name, filepath.Join(opt.Dir, "SOURCES.tsv"))
			}
			sites = append(sites, corpus.Sites[i])
		}
	}
	tmp, err := os.MkdirTemp("", "perenos-bench-map-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	wsDir := opt.Workspace
	if wsDir == "" {
		wsDir = filepath.Join(tmp, "workspace")
	}
	if _, err := os.Stat(filepath.Join(wsDir, store.LedgerFile)); err == nil {
		return nil, fmt.Errorf("%s already holds a workspace; the bench needs a fresh one", wsDir)
	}
	ws, err := store.Open(ctx, wsDir, store.Options{Command: "perenos bench map"})
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	ca, err := newAuthority(tmpOr(opt.Workspace, tmp))
	if err != nil {
		return nil, err
	}
	res := newResolver()
	servers := map[string]*siteServer{}
	defer func() {
		for _, s := range servers {
			s.close()
		}
	}()
	ids := make([]string, 0, len(sites))

	for _, site := range sites {
		domains, err := Domains(filepath.Join(opt.Dir, "sites", site.Name))
		if err != nil {
			return nil, fmt.Errorf("site %s: %w", site.Name, err)
		}
		srv, err := corpus.serve(ctx, site, domains, ca)
		if err != nil {
			return nil, err
		}
		servers[site.Name] = srv
		res.add(srv)
		settings := map[string]string{}
		if len(domains) > 0 {
			var aliases []string
			for _, d := range domains {
				aliases = append(aliases, d)
				if u, err := idna.ToUnicode(d); err == nil && u != d {
					aliases = append(aliases, u)
				}
			}
			settings["aliases"] = strings.Join(aliases, " ")
			settings["ca_file"] = ca.pemFile
		}
		opt.Log.Debug("serving", "site", site.Name, "serve", site.Serve, "url", srv.URL(), "domains", domains)
		if _, err := ws.UpsertOrg("perenos bench map", store.Org{ID: site.Name, Name: site.Name, Type: site.Type, LegacyURL: srv.URL(), Settings: settings}); err != nil {
			return nil, err
		}
		ids = append(ids, site.Name)
	}
	started := time.Now()
	plans, err := runPipeline(ctx, ws, opt.Profiles, opt.Map, crawler.NetOptions{Resolve: res.resolve, Allow: res.allow()}, opt.Log, ids)
	if err != nil {
		return nil, err
	}
	opt.Log.Info("pipeline done", "sites", len(ids), "took", time.Since(started).Round(time.Millisecond))
	out := &Result{Part: newPart(), Tuning: newPart(), Heldout: newPart(), Offsite: res.Offsite.Load()}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if opt.PlansDir != "" {
		if err := writePlans(opt.PlansDir, plans); err != nil {
			return nil, err
		}
	}
	var recPages []recordscore.Page
	for _, site := range sites {
		if opt.Records != nil {
			pages, err := recordPages(ws, site, servers[site.Name].URL(), plans[site.Name], opt.Records)
			if err != nil {
				return nil, err
			}
			recPages = append(recPages, pages...)
		}
		prof := opt.Profiles[site.Type]
		pagePaths, err := sitePages(ws, site.Name, corpus.Pages[site.Name])
		if err != nil {
			return nil, err
		}
		linked, err := linkedDocs(ctx, client, servers[site.Name], pagePaths)
		if err != nil {
			return nil, err
		}
		for _, l := range corpus.Docs[site.Name] {
			if !slices.Contains(linked, l.Path) {
				linked = append(linked, l.Path)
			}
		}
		rules := siteRules{
			served: func(dir string) string {
				return servedIndex(filepath.Join(opt.Dir, "sites", site.Name), dir, site.Serve)
			},
			parent: func(id string) string {
				if s := prof.Section(id); s != nil {
					return s.Parent
				}
				return ""
			},
		}
		sc, misses, lost := scoreSite(plans[site.Name], corpus.Pages[site.Name], corpus.Docs[site.Name], linked, rules)
		for _, k := range lost {
			opt.Log.Debug("a linked document is not in the plan", "site", site.Name, "path", k)
		}
		out.Part.add(site, sc, misses)
		if PartOf(site.Name) == "heldout" {
			out.Heldout.add(site, sc, misses)
		} else {
			out.Tuning.add(site, sc, misses)
		}
	}
	if opt.Records != nil {
		rep := recordscore.Score(onlySites(opt.Records, sites), recPages)
		out.Records = &rep
	}
	for _, p := range []*Part{&out.Part, &out.Tuning, &out.Heldout} {
		sort.SliceStable(p.Misses, func(i, j int) bool {
			a, b := p.Misses[i], p.Misses[j]
			if a.Site != b.Site {
				return a.Site < b.Site
			}
			return a.Path < b.Path
		})
	}
	return out, nil
}

// onlySites keeps the labels of the sites the bench ran.
func onlySites(g *recordscore.Gold, sites []Site) *recordscore.Gold {
	out := &recordscore.Gold{File: g.File}
	for _, r := range g.Rows {
		if slices.ContainsFunc(sites, func(s Site) bool { return s.Name == r.Site }) {
			out.Rows = append(out.Rows, r)
		}
	}
	return out
}

// sitePages lists the pages whose links define the site's documents: the
// labelled pages and every page the crawl fetched, as path keys.
func sitePages(ws *store.Workspace, org string, labels []Label) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, l := range labels {
		add(l.Path)
	}
	err := ws.Pages(org, func(p *store.Page) error {
		if p.Kind == store.KindPage && p.OK() {
			add(pathKey(p.URL))
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	return out, err
}

// writePlans writes each plan as DIR/SITE.json.
func writePlans(dir string, plans map[string]*mapping.Plan) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for site, p := range plans {
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, site+".json"), data, 0o644); err != nil {
			return fmt.Errorf("write the plan of %s: %w", site, err)
		}
	}
	return nil
}

// tmpOr returns dir when set, else tmp.
func tmpOr(dir, tmp string) string {
	if dir != "" {
		return dir
	}
	return tmp
}

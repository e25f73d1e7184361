package server

import (
	"bytes"
	"encoding/json"
	"html/template"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"perenos/portal"
)

// siteView is a site's content as the public pages show it.
type siteView struct {
	Site     string
	Sections []*sectionView
}

type sectionView struct {
	Key      string
	Section  portal.Section
	Depth    int
	Pages    []keyed[portal.Page]
	Docs     []keyed[portal.Document]
	News     []keyed[portal.NewsItem]
	Records  []keyed[portal.Record]
	children []*sectionView
}

type keyed[T any] struct {
	Key  string
	Href string // where the public page links to it
	V    T
}

// href is where the site's pages link to an object: its public path, or
// for an object stored without one its key under its collection.
func href(site, p string, kind portal.Kind, key string) string {
	if p != "" {
		return portal.SitePath(site, p)
	}
	return portal.SitePath(site, "/"+string(kind)+"/"+key)
}

// loadSite reads every object of a site, grouped under its sections in
// tree order.
func (s *Server) loadSite(site string) (*siteView, error) {
	view := &siteView{Site: site}
	secs := map[string]*sectionView{}
	type raw struct {
		kind portal.Kind
		key  string
		body []byte
	}
	var all []raw
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := []byte(site + "\x00")
		c := tx.Bucket(bObjects).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			kind, key, _ := strings.Cut(string(k[len(prefix):]), "\x00")
			var st stored
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			all = append(all, raw{portal.Kind(kind), key, st.Body})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.kind == portal.KindSection {
			sv := &sectionView{Key: r.key}
			if json.Unmarshal(r.body, &sv.Section) == nil {
				secs[r.key] = sv
			}
		}
	}
	for _, r := range all {
		switch r.kind {
		case portal.KindPage:
			var v portal.Page
			if json.Unmarshal(r.body, &v) == nil && secs[v.Section] != nil {
				secs[v.Section].Pages = append(secs[v.Section].Pages, keyed[portal.Page]{r.key, href(site, v.Path, r.kind, r.key), v})
			}
		case portal.KindDocument:
			var v portal.Document
			if json.Unmarshal(r.body, &v) == nil && secs[v.Section] != nil {
				h := portal.FilePath(site, v.FileSHA256, v.FileName)
				if v.Path != "" {
					h = portal.SitePath(site, v.Path)
				}
				secs[v.Section].Docs = append(secs[v.Section].Docs, keyed[portal.Document]{r.key, h, v})
			}
		case portal.KindNews:
			var v portal.NewsItem
			if json.Unmarshal(r.body, &v) == nil && secs[v.Section] != nil {
				secs[v.Section].News = append(secs[v.Section].News, keyed[portal.NewsItem]{r.key, href(site, v.Path, r.kind, r.key), v})
			}
		case portal.KindRecord:
			var v portal.Record
			if json.Unmarshal(r.body, &v) == nil && secs[v.Section] != nil {
				secs[v.Section].Records = append(secs[v.Section].Records, keyed[portal.Record]{r.key, "", v})
			}
		}
	}
	var roots []*sectionView
	for _, sv := range secs {
		if p := secs[sv.Section.Parent]; p != nil && sv.Section.Parent != sv.Key {
			p.children = append(p.children, sv)
		} else {
			roots = append(roots, sv)
		}
	}
	byOrder := func(a, b *sectionView) int {
		if a.Section.Order != b.Section.Order {
			return a.Section.Order - b.Section.Order
		}
		return strings.Compare(a.Key, b.Key)
	}
	var walk func([]*sectionView, int)
	walk = func(list []*sectionView, depth int) {
		slices.SortFunc(list, byOrder)
		for _, sv := range list {
			sv.Depth = depth
			slices.SortFunc(sv.Pages, func(a, b keyed[portal.Page]) int { return a.V.Order - b.V.Order })
			slices.SortFunc(sv.Docs, func(a, b keyed[portal.Document]) int { return a.V.Order - b.V.Order })
			slices.SortFunc(sv.News, func(a, b keyed[portal.NewsItem]) int { return strings.Compare(b.V.Date, a.V.Date) })
			view.Sections = append(view.Sections, sv)
			if depth < 16 {
				walk(sv.children, depth+1)
			}
		}
	}
	walk(roots, 0)
	return view, nil
}

var pageTemplates = template.Must(template.New("site").Parse(`{{define "head"}}<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{{.}}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}.body{white-space:pre-wrap}section{margin-left:1.5em}</style></head><body>{{end}}
{{define "section"}}<section style="margin-left:{{.Depth}}em"><h2 id="{{.Key}}">{{.Section.Title}}</h2>
{{if .Pages}}<ul>{{range .Pages}}<li><a href="{{.Href}}">{{.V.Title}}</a></li>{{end}}</ul>{{end}}
{{if .Docs}}<ul>{{range .Docs}}<li><a href="{{.Href}}">{{.V.Title}}</a>{{if .V.Date}} ({{.V.Date}}){{end}}</li>{{end}}</ul>{{end}}
{{if .News}}<ul>{{range .News}}<li>{{.V.Date}} <a href="{{.Href}}">{{.V.Title}}</a></li>{{end}}</ul>{{end}}
{{if .Records}}<table border="1">{{range .Records}}<tr><td>{{.V.RecordType}}</td><td>{{range $k, $v := .V.Fields}}{{$k}}: {{$v}}<br>{{end}}</td></tr>{{end}}</table>{{end}}
</section>{{end}}
{{define "site"}}{{template "head" .Site}}<h1>Сайт {{.Site}}</h1>
{{range .Sections}}{{template "section" .}}{{end}}</body></html>{{end}}
{{define "sectionpage"}}{{template "head" .Section.Section.Title}}<p><a href="{{.Home}}">← {{.Site}}</a></p>
{{template "section" .Section}}</body></html>{{end}}
{{define "object"}}{{template "head" .Title}}<p><a href="{{.Home}}">← {{.Site}}</a></p><h1>{{.Title}}</h1>{{if .Date}}<p>{{.Date}}</p>{{end}}
<div class="body">{{.Body}}</div>{{if .Source}}<p><small>Перенесено с {{.Source}}</small></p>{{end}}</body></html>{{end}}`))

// publicPath serves GET /sites/{site}/{path...}: the site's index, a
// section at its path, or a page, news item or document at its public path.
func (s *Server) publicPath(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	if !portal.ValidKey(site) {
		http.NotFound(w, r)
		return
	}
	p := "/" + r.PathValue("path")
	if p == "/" {
		s.renderSite(w, r, site)
		return
	}
	var ref []byte
	s.db.View(func(tx *bolt.Tx) error {
		ref = append([]byte(nil), tx.Bucket(bPaths).Get(pathKey(site, p))...)
		return nil
	})
	if len(ref) > 0 {
		kind, key, _ := strings.Cut(string(ref), "\x00")
		s.renderObject(w, r, site, portal.Kind(kind), key)
		return
	}
	view, err := s.loadSite(site)
	if err != nil {
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	for _, sv := range view.Sections {
		if sp := sv.Section.Path; sp != "/" && (sp == p || sp == p+"/") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			pageTemplates.ExecuteTemplate(w, "sectionpage", struct {
				Site, Home string
				Section    *sectionView
			}{site, portal.SitePath(site, "/"), sv})
			return
		}
	}
	// Objects stored without a public path keep their address by key.
	if kind, key, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/"); ok && (kind == string(portal.KindPage) || kind == string(portal.KindNews)) {
		s.renderObject(w, r, site, portal.Kind(kind), key)
		return
	}
	http.NotFound(w, r)
}

func (s *Server) renderSite(w http.ResponseWriter, r *http.Request, site string) {
	view, err := s.loadSite(site)
	if err != nil {
		http.Error(w, "storage error", http.StatusInternalServerError)
		return
	}
	if len(view.Sections) == 0 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTemplates.ExecuteTemplate(w, "site", view)
}

func (s *Server) renderObject(w http.ResponseWriter, r *http.Request, site string, kind portal.Kind, key string) {
	if !portal.ValidKey(key) {
		http.NotFound(w, r)
		return
	}
	st, found, err := s.load(site, kind, key)
	if err != nil || !found {
		http.NotFound(w, r)
		return
	}
	obj, err := portal.DecodeObject(kind, st.Body)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	data := struct{ Site, Home, Title, Date, Body, Source string }{Site: site, Home: portal.SitePath(site, "/")}
	switch o := obj.(type) {
	case *portal.Page:
		data.Title, data.Body, data.Source = o.Title, o.Body, o.SourceURL
	case *portal.NewsItem:
		data.Title, data.Date, data.Body, data.Source = o.Title, o.Date, o.Body, o.SourceURL
	case *portal.Document:
		s.serveNamedFile(w, r, site, o.FileSHA256, o.FileName)
		return
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTemplates.ExecuteTemplate(w, "object", data)
}

func (s *Server) publicFile(w http.ResponseWriter, r *http.Request) {
	site, sha := r.PathValue("site"), r.PathValue("sha")
	if !validSHA(sha) {
		http.NotFound(w, r)
		return
	}
	s.serveNamedFile(w, r, site, sha, r.PathValue("name"))
}

// serveNamedFile serves a file of a site with the type its name suggests;
// never as HTML, which would run in the portal's origin.
func (s *Server) serveNamedFile(w http.ResponseWriter, r *http.Request, site, sha, name string) {
	ctype := mime.TypeByExtension(strings.ToLower(path.Ext(name)))
	if ctype == "" || strings.HasPrefix(ctype, "text/html") || strings.Contains(ctype, "xml") || strings.Contains(ctype, "javascript") {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Disposition", "inline")
	s.serveFile(w, r, site, sha, ctype)
}

func (s *Server) siteTree(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	view, err := s.loadSite(site)
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	_, files, _, err := s.Counts(site)
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "storage error", err.Error())
		return
	}
	tree := portal.SiteTree{Site: site, Sections: []portal.TreeSection{}, Files: files}
	for _, sv := range view.Sections {
		tree.Sections = append(tree.Sections, portal.TreeSection{Key: sv.Key, Title: sv.Section.Title, Parent: sv.Section.Parent, Path: sv.Section.Path,
			Depth: sv.Depth, Pages: len(sv.Pages), Documents: len(sv.Docs), News: len(sv.News), Records: len(sv.Records)})
	}
	writeJSON(w, http.StatusOK, tree)
}

package portal

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
)

// siteView is a site's content as the public pages show it.
type siteView struct {
	Site     string
	Sections []*sectionView
}

type sectionView struct {
	Key      string
	Section  Section
	Depth    int
	Pages    []keyed[Page]
	Docs     []keyed[Document]
	News     []keyed[NewsItem]
	Records  []keyed[Record]
	children []*sectionView
}

type keyed[T any] struct {
	Key string
	V   T
}

// loadSite reads every object of a site, grouped under its sections in
// tree order.
func (s *Server) loadSite(site string) (*siteView, error) {
	view := &siteView{Site: site}
	secs := map[string]*sectionView{}
	type raw struct {
		kind Kind
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
			all = append(all, raw{Kind(kind), key, st.Body})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.kind == KindSection {
			sv := &sectionView{Key: r.key}
			if json.Unmarshal(r.body, &sv.Section) == nil {
				secs[r.key] = sv
			}
		}
	}
	for _, r := range all {
		switch r.kind {
		case KindPage:
			var v Page
			if json.Unmarshal(r.body, &v) == nil && secs[v.Section] != nil {
				secs[v.Section].Pages = append(secs[v.Section].Pages, keyed[Page]{r.key, v})
			}
		case KindDocument:
			var v Document
			if json.Unmarshal(r.body, &v) == nil && secs[v.Section] != nil {
				secs[v.Section].Docs = append(secs[v.Section].Docs, keyed[Document]{r.key, v})
			}
		case KindNews:
			var v NewsItem
			if json.Unmarshal(r.body, &v) == nil && secs[v.Section] != nil {
				secs[v.Section].News = append(secs[v.Section].News, keyed[NewsItem]{r.key, v})
			}
		case KindRecord:
			var v Record
			if json.Unmarshal(r.body, &v) == nil && secs[v.Section] != nil {
				secs[v.Section].Records = append(secs[v.Section].Records, keyed[Record]{r.key, v})
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
			slices.SortFunc(sv.Pages, func(a, b keyed[Page]) int { return a.V.Order - b.V.Order })
			slices.SortFunc(sv.Docs, func(a, b keyed[Document]) int { return a.V.Order - b.V.Order })
			slices.SortFunc(sv.News, func(a, b keyed[NewsItem]) int { return strings.Compare(b.V.Date, a.V.Date) })
			view.Sections = append(view.Sections, sv)
			if depth < 16 {
				walk(sv.children, depth+1)
			}
		}
	}
	walk(roots, 0)
	return view, nil
}

var pageTemplates = template.Must(template.New("site").Funcs(template.FuncMap{
	"indent": func(d int) string { return strings.Repeat("  ", d) },
}).Parse(`{{define "head"}}<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{{.}}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}.body{white-space:pre-wrap}section{margin-left:1.5em}</style></head><body>{{end}}
{{define "site"}}{{template "head" .Site}}<h1>Сайт {{.Site}}</h1>
{{range .Sections}}<section style="margin-left:{{.Depth}}em"><h2 id="{{.Key}}">{{.Section.Title}}</h2>
{{if .Pages}}<ul>{{range .Pages}}<li><a href="pages/{{.Key}}">{{.V.Title}}</a></li>{{end}}</ul>{{end}}
{{if .Docs}}<ul>{{range .Docs}}<li><a href="files/{{.V.FileSHA256}}/{{.V.FileName}}">{{.V.Title}}</a>{{if .V.Date}} ({{.V.Date}}){{end}}</li>{{end}}</ul>{{end}}
{{if .News}}<ul>{{range .News}}<li>{{.V.Date}} <a href="news/{{.Key}}">{{.V.Title}}</a></li>{{end}}</ul>{{end}}
{{if .Records}}<table border="1">{{range .Records}}<tr><td>{{.V.RecordType}}</td><td>{{range $k, $v := .V.Fields}}{{$k}}: {{$v}}<br>{{end}}</td></tr>{{end}}</table>{{end}}
</section>{{end}}</body></html>{{end}}
{{define "object"}}{{template "head" .Title}}<p><a href="../">← {{.Site}}</a></p><h1>{{.Title}}</h1>{{if .Date}}<p>{{.Date}}</p>{{end}}
<div class="body">{{.Body}}</div>{{if .Source}}<p><small>Перенесено с {{.Source}}</small></p>{{end}}</body></html>{{end}}`))

func (s *Server) renderSite(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	if !ValidKey(site) {
		http.NotFound(w, r)
		return
	}
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

func (s *Server) renderObject(w http.ResponseWriter, r *http.Request) {
	site, key := r.PathValue("site"), r.PathValue("key")
	kind := Kind(r.PathValue("kind"))
	if !ValidKey(site) || !ValidKey(key) || (kind != KindPage && kind != KindNews) {
		http.NotFound(w, r)
		return
	}
	st, found, err := s.load(site, kind, key)
	if err != nil || !found {
		http.NotFound(w, r)
		return
	}
	data := struct{ Site, Title, Date, Body, Source string }{Site: site}
	if kind == KindPage {
		var p Page
		json.Unmarshal(st.Body, &p)
		data.Title, data.Body, data.Source = p.Title, p.Body, p.SourceURL
	} else {
		var n NewsItem
		json.Unmarshal(st.Body, &n)
		data.Title, data.Date, data.Body, data.Source = n.Title, n.Date, n.Body, n.SourceURL
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTemplates.ExecuteTemplate(w, "object", data)
}

func (s *Server) publicFile(w http.ResponseWriter, r *http.Request) {
	site, sha := r.PathValue("site"), r.PathValue("sha")
	if len(sha) != 64 {
		http.NotFound(w, r)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(r.PathValue("name")))
	if ctype == "" || strings.HasPrefix(ctype, "text/html") {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Disposition", "inline")
	s.serveFile(w, r, site, sha, ctype)
}

// SiteTree is a site's section tree with what each section holds, as
// GET /api/v1/sites/{site} answers it.
type SiteTree struct {
	Site     string        `json:"site"`
	Sections []TreeSection `json:"sections"`
	Files    int           `json:"files"`
}

// TreeSection is one section of a SiteTree, in tree order.
type TreeSection struct {
	Key       string `json:"key"`
	Title     string `json:"title"`
	Parent    string `json:"parent,omitempty"`
	Path      string `json:"path"`
	Depth     int    `json:"depth"`
	Pages     int    `json:"pages"`
	Documents int    `json:"documents"`
	News      int    `json:"news"`
	Records   int    `json:"records"`
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
	tree := SiteTree{Site: site, Sections: []TreeSection{}, Files: files}
	for _, sv := range view.Sections {
		tree.Sections = append(tree.Sections, TreeSection{Key: sv.Key, Title: sv.Section.Title, Parent: sv.Section.Parent, Path: sv.Section.Path,
			Depth: sv.Depth, Pages: len(sv.Pages), Documents: len(sv.Docs), News: len(sv.News), Records: len(sv.Records)})
	}
	writeJSON(w, http.StatusOK, tree)
}

// Package mapping places a site's pages, documents and records into the
// structure the law mandates for its kind of organisation, with a
// confidence and reasons for every placement, and lists the gaps: what the
// mandated structure needs and the old site never had.
package mapping

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"perenos/store"
)

//go:embed profiles/*.yaml
var builtin embed.FS

// MandatedItem is one piece of information a section must carry. It counts
// as present when the section holds the microdata property named by its
// ID, a document of its kind, a record of one of its record types, or a
// page whose text has one of its phrases (for sites without microdata).
type MandatedItem struct {
	ID      string   `yaml:"id" json:"id"`
	Title   string   `yaml:"title" json:"title"`
	DocKind string   `yaml:"doc_kind,omitempty" json:"doc_kind,omitempty"` // satisfied by a document of this kind
	Text    []string `yaml:"text,omitempty" json:"text,omitempty"`         // satisfied by a page containing one of these phrases
	Records []string `yaml:"records,omitempty" json:"records,omitempty"`   // satisfied by a record of one of these types
}

// Section is a target section of a profile.
type Section struct {
	ID       string   `yaml:"id" json:"id"`
	Title    string   `yaml:"title" json:"title"`
	Mandated bool     `yaml:"mandated" json:"mandated"`
	Slugs    []string `yaml:"slugs" json:"slugs,omitempty"`
	Keywords []string `yaml:"keywords" json:"keywords,omitempty"`
	// Names are what a page of the section may be called (its title, menu
	// item, the links to it) besides the keywords, but that are too common
	// to be read in text, in documents' names or in addresses
	// («Приказы», «Положения»: a page so called is a page of documents,
	// while a document so called may be of any section).
	Names      []string       `yaml:"names,omitempty" json:"names,omitempty"`
	Itemprops  []string       `yaml:"itemprops" json:"itemprops,omitempty"`
	PortalPath string         `yaml:"portal_path" json:"portal_path"`
	Items      []MandatedItem `yaml:"items" json:"items,omitempty"`
	// Basis is the legal act that requires the section, for gap worksheets.
	Basis string `yaml:"basis,omitempty" json:"basis,omitempty"`
	// Records are the structured record types (microdata main tags or
	// detected kinds) that belong in this section.
	Records []string `yaml:"records,omitempty" json:"records,omitempty"`
	// Posts are words of a staff record's post that send it here (a
	// director to «Руководство», a teacher to «Педагогический состав»).
	Posts []string `yaml:"posts,omitempty" json:"posts,omitempty"`
	// DocKinds are the kinds of documents (documents.yaml) that belong in
	// this section, besides those of its mandated items.
	DocKinds []string `yaml:"doc_kinds,omitempty" json:"doc_kinds,omitempty"`
	// PersonPages says that a person's own page, linked by their name
	// from the section's page, is part of the section: the law asks for
	// each person's details here (118н: every doctor's education,
	// certificate and hours). Elsewhere such a page (a teacher's own page
	// of methodical materials) is a free page.
	PersonPages bool `yaml:"person_pages,omitempty" json:"person_pages,omitempty"`
	// ItemPages says that the pages under the section's folder or menu
	// group are its items, so that where a page sits places it there: a
	// municipality's legal acts, one page per act under /dokumenty/ or
	// /postanovleniya/. Elsewhere a page under a section's folder is a
	// free page under its parent («Документы» › «Охрана труда»).
	ItemPages bool   `yaml:"item_pages,omitempty" json:"item_pages,omitempty"`
	Parent    string `yaml:"-" json:"parent,omitempty"`
}

// DocumentKind is a kind of document (устав, ПФХД, меню) and the words
// that tell it; Types, when set, limits it to those organisation types.
type DocumentKind struct {
	Kind  string          `yaml:"kind"`
	Words []string        `yaml:"words"`
	Types []store.OrgType `yaml:"types,omitempty"`
}

// Profile is the mandated structure of one organisation type plus the
// common sections.
type Profile struct {
	Type     store.OrgType `yaml:"type"`
	Root     Section       `yaml:"root"`
	Sections []Section     `yaml:"sections"`
	// Kinds are the document kinds this type of organisation has
	// (documents.yaml), prepared for matching.
	Kinds []docKindWords `yaml:"-"`

	kindIndex      kindIndex // Kinds by their phrases' first words
	prepare        sync.Once
	phrases, slugs map[string][]phrase
	names          map[string][]phrase // phrases and the words of the section's document kinds
	postPhrases    map[string][]phrase // Posts, stemmed
	shortIdx       shortIndex
	bodyIdx        bodyIndex
}

// Section returns the section with id, or nil.
func (p *Profile) Section(id string) *Section {
	if id == p.Root.ID {
		return &p.Root
	}
	for i := range p.Sections {
		if p.Sections[i].ID == id {
			return &p.Sections[i]
		}
	}
	return nil
}

// posts returns a section's Posts, stemmed.
func (p *Profile) posts(id string) []phrase {
	p.matchers()
	return p.postPhrases[id]
}

// Profiles holds one profile per organisation type.
type Profiles map[store.OrgType]*Profile

// LoadProfiles reads the built-in profiles and, when dir is not empty,
// the region's overrides from dir (files named like the built-in ones).
func LoadProfiles(dir string) (Profiles, error) {
	var fsys fs.FS = builtin
	read := func(name string) ([]byte, error) {
		if dir != "" {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err == nil {
				return data, nil
			}
			if !os.IsNotExist(err) {
				return nil, err
			}
		}
		return fs.ReadFile(fsys, "profiles/"+name)
	}
	commonData, err := read("common.yaml")
	if err != nil {
		return nil, fmt.Errorf("profile common.yaml: %w", err)
	}
	var common struct {
		Sections []Section `yaml:"sections"`
	}
	cdec := yaml.NewDecoder(strings.NewReader(string(commonData)))
	cdec.KnownFields(true)
	if err := cdec.Decode(&common); err != nil {
		return nil, fmt.Errorf("profile common.yaml: %w", err)
	}
	kindsData, err := read("documents.yaml")
	if err != nil {
		return nil, fmt.Errorf("profile documents.yaml: %w", err)
	}
	var kinds struct {
		Kinds []DocumentKind `yaml:"kinds"`
	}
	kdec := yaml.NewDecoder(strings.NewReader(string(kindsData)))
	kdec.KnownFields(true)
	if err := kdec.Decode(&kinds); err != nil {
		return nil, fmt.Errorf("profile documents.yaml: %w", err)
	}
	for _, k := range kinds.Kinds {
		if k.Kind == "" || len(k.Words) == 0 {
			return nil, fmt.Errorf("profile documents.yaml: a kind needs a name (kind) and words")
		}
	}
	out := Profiles{}
	for _, t := range store.OrgTypes {
		name := string(t) + ".yaml"
		data, err := read(name)
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", name, err)
		}
		var p Profile
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("profile %s: %w", name, err)
		}
		if p.Type != t {
			return nil, fmt.Errorf("profile %s: type is %q, want %q", name, p.Type, t)
		}
		for i := range p.Sections {
			p.Sections[i].Parent = p.Root.ID
		}
		p.Sections = append(p.Sections, common.Sections...)
		for _, k := range kinds.Kinds {
			if len(k.Types) == 0 || slices.Contains(k.Types, t) {
				p.Kinds = append(p.Kinds, newDocKindWords(k))
			}
		}
		p.kindIndex = indexKinds(p.Kinds)
		if err := p.validate(); err != nil {
			return nil, fmt.Errorf("profile %s: %w", name, err)
		}
		out[t] = &p
	}
	return out, nil
}

func (p *Profile) validate() error {
	if p.Root.ID == "" || p.Root.Title == "" {
		return fmt.Errorf("root section needs an id and a title")
	}
	seen := map[string]bool{p.Root.ID: true}
	hasOther := false
	for _, s := range p.Sections {
		switch {
		case s.ID == "" || s.Title == "":
			return fmt.Errorf("a section has no id or title")
		case seen[s.ID]:
			return fmt.Errorf("section %s appears twice", s.ID)
		case s.PortalPath == "" || !strings.HasPrefix(s.PortalPath, "/"):
			return fmt.Errorf("section %s: portal_path must start with /", s.ID)
		case s.Mandated && s.Basis == "":
			return fmt.Errorf("section %s: a mandated section needs its legal basis (basis)", s.ID)
		}
		for _, k := range append(append([]string{}, s.Keywords...), s.Slugs...) {
			if strings.TrimSpace(k) == "" {
				return fmt.Errorf("section %s: empty keyword or slug", s.ID)
			}
		}
		for _, k := range s.Slugs {
			if strings.IndexFunc(k, func(r rune) bool { return r > 127 }) >= 0 {
				return fmt.Errorf("section %s: slug %q has non-Latin letters", s.ID, k)
			}
		}
		for _, k := range s.DocKinds {
			if !p.hasKind(k) {
				return fmt.Errorf("section %s: document kind %q is not in documents.yaml", s.ID, k)
			}
		}
		for _, it := range s.Items {
			if it.ID == "" || it.Title == "" {
				return fmt.Errorf("section %s: a mandated item has no id or title", s.ID)
			}
			if it.DocKind != "" && !p.hasKind(it.DocKind) {
				return fmt.Errorf("section %s, item %s: document kind %q is not in documents.yaml", s.ID, it.ID, it.DocKind)
			}
			if it.DocKind != "" && len(it.Text) > 0 {
				return fmt.Errorf("section %s, item %s: an item that is a document (doc_kind) is not satisfied by words (text)", s.ID, it.ID)
			}
		}
		seen[s.ID] = true
		hasOther = hasOther || s.ID == OtherSection
	}
	if !hasOther {
		return fmt.Errorf("no %q section", OtherSection)
	}
	return nil
}

// Section ids with a fixed role.
const (
	OtherSection = "other"
	NewsSection  = "news"
	HomeSection  = "home"
)

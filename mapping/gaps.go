package mapping

import (
	"path"
	"slices"
	"strings"
)

// gaps lists the mandated sections the plan leaves empty and, for the
// sections that have content, the mandated items none of it provides: no
// microdata property, record, document of the item's kind, or (for items
// that are not documents) words of the item on the section's pages.
func gaps(prof *Profile, plan *Plan, in Input, st stemmer) []Gap {
	out := []Gap{}
	for _, s := range prof.Sections {
		if !s.Mandated {
			continue
		}
		sp := plan.Section(s.ID)
		if sp == nil || len(sp.Items) == 0 {
			why := "на старом сайте нет раздела «" + s.Title + "»"
			if len(in.Pages) == 0 {
				why = "старого сайта нет: раздел «" + s.Title + "» заполняется вручную"
			}
			out = append(out, Gap{Section: s.ID, Why: why})
			continue
		}
		props := map[string]bool{}
		kinds := map[string]bool{}
		recs := map[string]bool{}
		var texts [][]string
		for _, it := range sp.Items {
			switch it.Kind {
			case KindPage, KindNews:
				if d := in.Docs[it.SourceURL]; d != nil {
					for _, p := range d.Itemprops {
						props[p] = true
					}
					for _, l := range d.Attachments() { // a linked file, even one not downloaded
						if k, _ := prof.kindOf(st, l.Text, path.Base(l.URL), ""); k != "" {
							kinds[k] = true
						}
					}
				}
				texts = append(texts, st.stems(it.Title+"\n"+plan.bodyOf(&it)))
			case KindDocument:
				if it.DocKind != "" {
					kinds[it.DocKind] = true
				}
				texts = append(texts, st.stems(it.Title))
			case KindRecord:
				recs[strings.ToLower(it.DocKind)] = true
				vals := make([]string, 0, len(it.Fields))
				for k, v := range it.Fields {
					props[strings.ToLower(k)] = true
					vals = append(vals, v)
				}
				if it.DocKind == "document" { // a row of a document list
					if k, _ := prof.kindOf(st, strings.Join(vals, " "), "", ""); k != "" {
						kinds[k] = true
					}
				}
			}
		}
		for _, mi := range s.Items {
			if props[strings.ToLower(mi.ID)] || recs[strings.ToLower(mi.ID)] || (mi.DocKind != "" && kinds[mi.DocKind]) {
				continue
			}
			if slices.ContainsFunc(mi.Records, func(t string) bool { return recs[strings.ToLower(t)] }) {
				continue
			}
			// Words on a page stand for information, not for a document:
			// an item that is a document needs the document itself.
			if mi.DocKind == "" && hasAnyPhrase(texts, newPhrases(mi.Text)) {
				continue
			}
			out = append(out, Gap{Section: s.ID, Item: mi.ID, Why: "не найдено: " + mi.Title})
		}
	}
	// A scan is migrated, but the rules want a machine-readable document
	// in its place: the admin must supply one.
	scanGap := func(section string, it Item) {
		if it.Kind == KindDocument && it.Warning == ScanWarning {
			out = append(out, Gap{Section: section, Item: "«" + it.Title + "»", Why: "документ выложен сканом без текстового слоя: нужна машиночитаемая версия (" + it.SourceURL + ")"})
		}
	}
	// A file stored on another host is not carried: the admin downloads
	// it and attaches it where the plan put its link.
	elsewhereGap := func(section string, it Item) {
		if it.Kind == KindDocument && it.Elsewhere != "" && it.Blob == "" {
			out = append(out, Gap{Section: section, Item: "«" + it.Title + "»", Why: "файл хранится на другом сайте (" + it.Elsewhere + "): скачайте его по ссылке " + it.SourceURL + " и приложите к документу"})
		}
	}
	for _, sp := range plan.Sections {
		for _, it := range sp.Items {
			scanGap(sp.ID, it)
			elsewhereGap(sp.ID, it)
		}
	}
	for _, it := range plan.Unplaced {
		section := OtherSection
		if len(it.Candidates) > 0 {
			section = it.Candidates[0].Section
		}
		scanGap(section, it)
		elsewhereGap(section, it)
	}
	return out
}

func hasAnyPhrase(texts [][]string, ps []phrase) bool {
	for _, t := range texts {
		for _, p := range ps {
			if index(t, p.stems) >= 0 {
				return true
			}
		}
	}
	return false
}

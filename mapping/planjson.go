package mapping

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// A plan is stored as one record, and the plan of a large site is large:
// 7 KB of JSON a page, 140 MB for 20,000 pages. json.Marshal would hold
// all of it at once, with the buffer it grew in, about three times that.
// writePlanJSON writes the same bytes item by item, so that what is held
// is one item's JSON (store.Record.EncodeJSON compresses as it goes). An
// item that holds its body by reference (Item.src) has it read from the
// ledger as it is written, and let go after; its personal-data flag and
// source hash are made then (Item.pending).

// writePlanJSON writes exactly the bytes json.Marshal(p) makes: the plan
// without its items marshalled as a shell, and each list of items
// written into its place in the shell one item at a time.
func writePlanJSON(w io.Writer, p *Plan) error {
	shell := *p
	shell.Sections, shell.Unplaced, shell.Excluded = nil, nil, nil
	head, err := json.Marshal(&shell)
	if err != nil {
		return fmt.Errorf("plan of %s: %w", p.Org, err)
	}
	// A key in the shell is never inside a string (the quotes of a
	// string's text are escaped), so each of these is the field itself.
	spliced := []struct {
		mark  string
		write func(io.Writer) error
	}{
		{`"sections":null`, func(w io.Writer) error { return writeSections(w, p, p.Sections) }},
		{`"unplaced":null`, func(w io.Writer) error { return writeItems(w, p, p.Unplaced) }},
		{`"excluded":null`, func(w io.Writer) error { return writeItems(w, p, p.Excluded) }},
	}
	for _, s := range spliced {
		i := bytes.Index(head, []byte(s.mark))
		if i < 0 || bytes.Count(head, []byte(s.mark)) != 1 {
			return fmt.Errorf("plan of %s: the field %s is not once in the plan's JSON", p.Org, s.mark)
		}
		at := i + len(s.mark) - len("null")
		if _, err := w.Write(head[:at]); err != nil {
			return err
		}
		if err := s.write(w); err != nil {
			return err
		}
		head = head[at+len("null"):]
	}
	_, err = w.Write(head)
	return err
}

// writeSections writes the JSON of a plan's sections, each section's
// items one at a time.
func writeSections(w io.Writer, p *Plan, secs []SectionPlan) error {
	if secs == nil {
		_, err := io.WriteString(w, "null")
		return err
	}
	const mark = `"items":null}`
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for i := range secs {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		shell := secs[i]
		shell.Items = nil
		b, err := json.Marshal(&shell)
		if err != nil {
			return fmt.Errorf("section %s: %w", shell.ID, err)
		}
		// items is the section's last field
		if !bytes.HasSuffix(b, []byte(mark)) {
			return fmt.Errorf("section %s: its JSON does not end with its items", shell.ID)
		}
		if _, err := w.Write(b[:len(b)-len(mark)+len(`"items":`)]); err != nil {
			return err
		}
		if err := writeItems(w, p, secs[i].Items); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "}"); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]")
	return err
}

// writeItems writes the JSON of a list of items of p, one item at a time.
func writeItems(w io.Writer, p *Plan, items []Item) error {
	if items == nil {
		_, err := io.WriteString(w, "null")
		return err
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for i := range items {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		var b []byte
		var err error
		p.withBody(&items[i], func(it *Item) {
			if it.pending {
				checkItem(it)
				it.pending = false
			}
			b, err = json.Marshal(it)
		})
		if err != nil {
			return fmt.Errorf("item %s: %w", items[i].Key, err)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]")
	return err
}

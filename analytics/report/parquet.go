package report

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/seed-1c4692e8/hotline/analytics"
)

// WriteParquet writes a bucketed result: period (timestamp, s), then one nullable float64
// column per metric.
func WriteParquet(w io.Writer, res *analytics.Result) error {
	fields := []arrow.Field{{Name: "period", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}}}
	for _, k := range res.Query.GroupBy {
		fields = append(fields, arrow.Field{Name: k, Type: arrow.BinaryTypes.String})
	}
	for _, m := range res.Query.Metrics {
		fields = append(fields, arrow.Field{Name: m, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range res.Rows {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(r.Time.Unix()))
		for i, k := range r.Keys {
			b.Field(1 + i).(*array.StringBuilder).Append(k)
		}
		for i, v := range r.Values {
			fb := b.Field(1 + len(r.Keys) + i).(*array.Float64Builder)
			if v == nil {
				fb.AppendNull()
			} else {
				fb.Append(*v)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
	// Hide Close: pqarrow closes a writer that has one, and the caller owns w.
	fw, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{w}, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return fmt.Errorf("opening parquet writer: %w", err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("writing parquet: %w", err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("closing parquet: %w", err)
	}
	return nil
}

import duckdb
import pyarrow as pa
from oneplan.transforms import schema


def test_every_column_has_thai_and_english_descriptions():
    for table in schema.TABLES:
        assert table.grain_th and table.grain_en, table.name
        for column in table.columns:
            assert column.th.strip() and column.en.strip(), f"{table.name}.{column.name}"


def test_ddl_and_comments_run_in_duckdb():
    con = duckdb.connect()
    for table in schema.TABLES:
        if not table.is_view:
            con.execute(schema.create_table_sql(table))
            for statement in schema.comment_sql(table):
                con.execute(statement)
    comment = con.execute(
        "select comment from duckdb_columns() where table_name = 'project_budgets' "
        "and column_name = 'amount_thb'"
    ).fetchone()[0]
    assert comment == "งบประมาณ (บาท) / Budget in baht, exact"
    types = dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = 'projects'"
        ).fetchall()
    )
    assert types["village_numbers"] == "INTEGER[]"
    con.close()


def test_arrow_schema_matches_declared_types():
    arrow = schema.arrow_schema(schema.PROJECT_BUDGETS)
    assert arrow.field("amount_thb").type == pa.decimal128(15, 2)
    assert arrow.field("fiscal_year").type == pa.int32()
    assert arrow.names == ["project_id", "fiscal_year", "amount_thb"]


def test_data_dictionary_lists_every_table_with_its_grain():
    text = schema.data_dictionary_markdown()
    for table in schema.TABLES:
        assert f"### `{table.name}`" in text
        assert table.grain_en in text
    assert "| `amount_thb` | DECIMAL(15,2) |" in text


def test_staged_tables_are_declared_here_with_the_file_columns_first():
    from oneplan.transforms.issues import ISSUE_FIELDS
    from oneplan.transforms.sheet import TEXT_COLUMNS

    file_columns = ["submission_id", "source_file", "district_code", "row_order"]
    for kind, table in schema.STAGED_TABLES.items():
        assert table.name == f"stg_{kind}"
        assert table.column_names[:4] == file_columns
        assert all(f.nullable for f in schema.staged_arrow_schema(table))
        assert schema.staged_arrow_schema(table, file_columns=False).names == table.column_names[4:]
    assert schema.STG_ISSUES.column_names[4:] == list(ISSUE_FIELDS)
    assert set(TEXT_COLUMNS) <= set(schema.STG_PROJECTS.column_names)
    assert set(schema.SUBMISSION_RECORD_COLUMNS) <= set(schema.SUBMISSIONS.column_names)


def test_the_data_dictionary_lists_the_staging_layer_after_the_published_tables():
    text = schema.data_dictionary_markdown()
    assert text.index("### `oneplan` (view)") < text.index("### `stg_projects` (staged)")
    assert "| `row_order` | INTEGER |" in text

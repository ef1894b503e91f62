{#- dbt-postgres reads column types from information_schema.columns.data_type, which says
    'USER-DEFINED' for nps_summary (and every extension or enum type). With on_schema_change
    'append_new_columns' or 'sync_all_columns', dbt then emits `add column "x" USER-DEFINED`,
    a syntax error. This override reports such columns by their schema-qualified type name.
    (Not needed with the default on_schema_change='ignore'.) -#}
{% macro postgres__get_columns_in_relation(relation) -%}
  {% call statement('get_columns_in_relation', fetch_result=True) %}
      select
          column_name,
          case when data_type = 'USER-DEFINED'
               then quote_ident(udt_schema) || '.' || quote_ident(udt_name)
               else data_type end as data_type,
          character_maximum_length,
          numeric_precision,
          numeric_scale
      from {{ relation.information_schema('columns') }}
      where table_name = '{{ relation.identifier }}'
        {% if relation.schema %}
        and table_schema = '{{ relation.schema }}'
        {% endif %}
      order by ordinal_position
  {% endcall %}
  {% set table = load_result('get_columns_in_relation').table %}
  {{ return(sql_convert_columns_in_relation(table)) }}
{% endmacro %}

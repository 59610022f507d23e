"""Brook's schema code generator: parse -> model -> emit.

parse.py   reads Kafka-format JSON schema files strictly (unknown keys fail).
model.py   resolves them into typed messages, structs and fields, with all
           version logic in one type (Versions).
emit_cpp.py / emit_tables.py write C++ into the build tree.
"""

"""rikg — the Roma Inclusion Knowledge Graph.

Bulgaria's Roma-inclusion plans (EU framework → national strategy → national
action plan → oblast strategies → municipal action plans) as an RDF graph with
provenance.
"""

__version__ = "0.1.0"

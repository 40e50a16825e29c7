package org.nashra.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/** Lucene's defaults match analysis-common's "arabic" analyzer when no stopwords/stem_exclusion are set. */
@NamedComponent("arabic")
public class ArabicAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new ArabicAnalyzer();
    }
}

package org.nashra.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

/** Lucene's defaults match analysis-common's "french" analyzer when no stopwords/stem_exclusion are set. */
@NamedComponent("french")
public class FrenchAnalyzerFactory implements AnalyzerFactory {
    @Override
    public Analyzer create() {
        return new FrenchAnalyzer();
    }
}

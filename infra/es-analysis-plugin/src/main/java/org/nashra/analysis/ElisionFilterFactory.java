package org.nashra.analysis;

import java.util.List;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/**
 * Without "articles" the French default set is used (l, m, t, qu, n, s, j, d, c, jusqu, quoiqu,
 * lorsqu, puisqu), as documented for analysis-common. Full Elasticsearch refuses a bare "elision"
 * in an analyzer's filter list on recent versions, so index templates should always declare it.
 */
@NamedComponent("elision")
public class ElisionFilterFactory implements TokenFilterFactory {

    @AnalysisSettings
    public interface Settings {
        @ListSetting(path = "articles")
        List<String> articles();

        // true means the articles match regardless of case (Elasticsearch's naming, not ours).
        @BooleanSetting(path = "articles_case", defaultValue = false)
        boolean articlesCase();
    }

    private final CharArraySet articles;

    @Inject
    public ElisionFilterFactory(Settings settings) {
        List<String> configured = settings.articles();
        this.articles = configured.isEmpty()
            ? FrenchAnalyzer.DEFAULT_ARTICLES
            : CharArraySet.unmodifiableSet(new CharArraySet(configured, settings.articlesCase()));
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new ElisionFilter(tokenStream, articles);
    }

    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        return create(tokenStream);
    }
}

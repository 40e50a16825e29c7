package org.nashra.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** Folds Arabic-Indic (and other Unicode Nd) digits to ASCII so "٢٠٢٤" and "2024" match. */
@NamedComponent("decimal_digit")
public class DecimalDigitFilterFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new DecimalDigitFilter(tokenStream);
    }

    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        return create(tokenStream);
    }
}

\dn
\du
\l
